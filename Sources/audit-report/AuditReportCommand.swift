import ArgumentParser
import AuditReportCore
import Foundation

@main
enum Main {
    static func main() {
        // Past a file-size limit (ulimit -f) a write should fail with EFBIG and a message,
        // not kill the process and leave a temporary file behind.
        signal(SIGXFSZ, SIG_IGN)
        let handlers = interruptHandlers()
        AuditReportCommand.main()
        withExtendedLifetime(handlers) {}
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
              audit-report report Examples/sample-2026-10.csv Examples/sample-2026-10-siem.jsonl --month 2026-10 --language de --time-zone Europe/Berlin --output-dir out
              audit-report convert export.csv -o events.csv
              audit-report sample --month 2026-10 --events 5000 --output-dir Examples

            Exit codes: 0 success, 1 bad input or a failed write (message names file and line), 64 usage error.
            """,
        version: BuildInfo.version,
        subcommands: [ReportCommand.self, ConvertCommand.self, VerifyCommand.self, SampleCommand.self, LocalesCommand.self]
    )
}
