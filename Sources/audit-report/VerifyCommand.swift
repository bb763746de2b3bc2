import ArgumentParser
import AuditReportCore
import Foundation

/// `audit-report verify MANIFEST`: re-hashes the report's files against its manifest.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a report against its manifest, or a collect store against its seals.",
        discussion: """
            A report: every output unchanged, every input still present unchanged.
            A store: every sealed day present and unchanged, the seals one unbroken chain, \
            no segment that no seal accounts for.
            Exit codes: 0 all match; 1 a file changed or is missing, or the chain is broken.
            Examples:
              audit-report verify out/audit-report-2026-10-de-manifest.json
              audit-report verify --store /var/lib/audit-report
            """)

    @Argument(help: ArgumentHelp("The report's …-manifest.json.", valueName: "manifest"))
    var manifest: String?

    @Option(name: .long, help: ArgumentHelp("A collect server's store to check instead.", valueName: "dir"))
    var store: String?

    func validate() throws {
        if (manifest == nil) == (store == nil) { throw ValidationError("name a manifest or --store DIR (one of them)") }
    }

    func run() throws {
        try runReportingErrors {
            if let store {
                try verifyStore(store)
                return
            }
            let manifest = manifest!
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

    private func verifyStore(_ store: String) throws {
        let outcome = try StoreVerifier.verify(directory: store)
        for note in outcome.notes { Terminal.output("note: \(note)") }
        for problem in outcome.problems { Terminal.error("\(store): error: \(problem)") }
        let days = "\(outcome.sealedDays) sealed day\(outcome.sealedDays == 1 ? "" : "s") with \(outcome.sealedEvents) event\(outcome.sealedEvents == 1 ? "" : "s")"
        if let head = outcome.head {
            Terminal.output("chain head: \(head.seal) (\(head.day)); keep it elsewhere to tell later whether the newest days were removed")
        }
        if outcome.isIntact {
            Terminal.error("\(store): \(days) match their seals")
        } else {
            Terminal.error("\(store): \(outcome.problems.count) problem\(outcome.problems.count == 1 ? "" : "s"); \(days) match their seals")
            throw ExitCode(1)
        }
    }
}
