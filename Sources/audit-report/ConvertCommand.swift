import ArgumentParser
import AuditReportCore
import Foundation

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert audit exports into one file; the format follows the output's extension.",
        usage: "audit-report convert <inputs> ... --output <path> [<options>]",
        discussion: """
            Every event of every input, newest first, duplicates between inputs dropped.

            Examples:
              audit-report convert export.csv -o events.xlsx --language de
              audit-report convert export.csv -o events.csv --csv-dialect excel-de
              audit-report convert export.csv siem.jsonl -o 2026-10.jsonl.gz
            """
    )

    @Argument(help: "Audit-log CSV exports and SIEM JSON files (.gz too).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (.xlsx, .csv, .jsonl or .jsonl.gz).", valueName: "path"))
    var output: String

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if ConvertJob.format(of: output) == nil {
            let known = ConvertJob.Format.allCases.map { ".\($0.rawValue)" }.joined(separator: ", ") + ", .jsonl.gz"
            throw ValidationError("cannot tell the output format of '\(output)'; give it one of these extensions: \(known)")
        }
    }

    func run() throws {
        try runReportingErrors {
            let localizer = try common.localizer()
            var job = ConvertJob(
                options: .init(inputs: inputs, output: output, dialect: common.csvDialect, inputTimeZone: common.inputZone, inputZoneCandidates: common.inputZoneCandidates, inputEncoding: common.inputEncoding, temporaryDirectory: common.temporaryDirectory, creationDate: try sourceDateEpoch()),
                localizer: localizer, diagnostics: common.diagnostics())
            let progress = ProgressDisplay.make(quiet: common.quiet)
            job.onProgress = progress.map { display in { display.report($0) } }
            defer { progress?.finish() }
            try job.run()
            if WaitLedger.shared.enabled { Terminal.error(WaitLedger.shared.summary(), lines: true) }
            Terminal.output(output)
        }
    }
}
