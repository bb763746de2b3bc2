import ArgumentParser
import AuditReportCore
import Foundation

/// `audit-report verify MANIFEST`: re-hashes the report's files against its manifest.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a report against its manifest: every output unchanged, every input still present unchanged.",
        discussion: """
            Exit codes: 0 every output (and every input still present) matches; 1 a file changed or an output is missing.
            Example:
              audit-report verify out/audit-report-2026-10-de-manifest.json
            """)

    @Argument(help: ArgumentHelp("The report's …-manifest.json.", valueName: "manifest"))
    var manifest: String

    func run() throws {
        try runReportingErrors {
            let checks = try ManifestVerifier.verify(URL(fileURLWithPath: manifest))
            for check in checks { Terminal.output("\(check.state.rawValue): \(check.role) \(check.path)") }
            let failed = checks.filter(\.fails)
            if failed.isEmpty {
                Terminal.error("\(manifest): \(checks.filter { $0.state == .unchanged }.count) files match the manifest")
            } else {
                for check in failed { Terminal.error("\(check.path): error: \(check.role) \(check.state.rawValue) since the report was made") }
                throw ExitCode(1)
            }
        }
    }
}
