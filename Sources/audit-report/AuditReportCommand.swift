import ArgumentParser
import AuditReportCore
import Foundation

@main
enum Main {
    static func main() {
        // Past a file-size limit (ulimit -f) a write should fail with EFBIG and a message,
        // not kill the process and leave a temporary file behind.
        signal(SIGXFSZ, SIG_IGN)
        // The collect server shuts down gracefully on SIGTERM and Ctrl-C itself.
        let handlers = CommandLine.arguments.dropFirst().first == "collect" ? [] : interruptHandlers()
        if let message = unknownSubcommand(Array(CommandLine.arguments.dropFirst())) {
            for line in ["Error: \(message)", "Usage: audit-report <subcommand>", "  See 'audit-report --help' for more information."] { Terminal.error(line) }
            exit(64)
        }
        AuditReportCommand.main()
        withExtendedLifetime(handlers) {}
    }

    /// A first argument that is no subcommand and no option: which subcommands exist, and the
    /// closest one when it is near enough to be a slip.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = AuditReportCommand.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(first) else { return nil }
        let closest = names.map { ($0, editDistance(first.lowercased(), $0)) }.min { $0.1 < $1.1 }
        let hint = closest.flatMap { $0.1 <= max(2, $0.0.count / 3) ? " Did you mean '\($0.0)'?" : nil } ?? ""
        return "unknown subcommand '\(first.prefix(40))'.\(hint) Subcommands: \(names.dropLast().joined(separator: ", "))."
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.prefix(64)), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    /// On Ctrl-C, SIGTERM or SIGHUP: remove the run's temporary files (the previous report stays
    /// as it was) and exit with 128 + the signal, as shells expect.
    static func interruptHandlers() -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                // Waits while outputs are being moved into place: the set is then all new.
                let replaced = TemporaryFiles.removeAll()
                Terminal.error(replaced ? "audit-report: interrupted after the outputs were written" : "audit-report: interrupted; no output was changed")
                // At once: no other thread may write or create a file after the clean-up.
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }
}

struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-report",
        abstract: "Turns Notion audit-log CSV exports and SIEM JSON into monthly audit reports.",
        discussion: """
            Examples:
              audit-report report export.csv siem.jsonl --month 2026-10 --output-dir out
              audit-report report export.csv --month 2026-10 --language de
              audit-report convert export.csv -o events.xlsx
              audit-report sample --month 2026-10 --events 5000 --output-dir in

            Exit codes: 0 success, 1 bad input or a failed write (message names file and line), 64 usage error.
            """,
        version: BuildInfo.version,
        subcommands: [ReportCommand.self, ConvertCommand.self, CollectCommand.self, VerifyCommand.self, SampleCommand.self, LocalesCommand.self]
    )
}
