import ArgumentParser
import AuditReportCore
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the monthly audit report for one month.",
        discussion: """
            Reads every input (CSV export, SIEM JSON, .gz), keeps the month's events in the chosen \
            time zone, drops duplicates between inputs and writes the report files.

            Examples:
              audit-report report export.csv siem.jsonl --month 2026-10 --output-dir out
              audit-report report export.csv --month 2026-10 --language de
              audit-report report export.csv --month 2026-10 --time-zone Europe/Berlin
              audit-report report --store /var/lib/audit-report --month 2026-10
            """
    )

    @Argument(help: "Audit-log CSV exports and SIEM JSON files (.gz too).")
    var inputs: [String] = []

    @Option(name: .long, help: ArgumentHelp("A collect server's store: its segments of the month (and of the month before, for the comparison) are read too.", valueName: "dir"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("The month, YYYY-MM, in --time-zone.", valueName: "YYYY-MM"))
    var month: String

    @Option(name: .long, help: ArgumentHelp("Folder the report files go to.", valueName: "dir"))
    var outputDir = "out"

    @Option(name: .long, help: ArgumentHelp("Files to write, comma-separated: xlsx, html, csv (events, pages, actors, summary).", valueName: "list"))
    var format = "xlsx,html,csv,json"

    @Option(name: .long, help: ArgumentHelp("List at most this many events in the workbook (the summary says so).", valueName: "n"))
    var maxEventRows: Int?

    @Option(name: .long, help: ArgumentHelp("Finding rules (JSON, as Locales/findings.json) added to the shipped ones; a rule with a shipped id replaces it.", valueName: "file"))
    var rules: String?

    @Flag(name: .long, help: "Apply only the rules of --rules, none of the shipped ones.")
    var rulesReplace = false

    @Flag(name: .long, help: "Read, merge, count and find as usual, but write no file (for timing and checking inputs).")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Also write the findings as Opal access-request tickets (Title, Status, Reporter, Priority, Created time, Last edited time) to import into Notion.", valueName: "file.csv"))
    var tickets: String?

    @Option(name: .long, help: ArgumentHelp("The tickets' reporter: who reviews the report (default: the --reviewer's e-mail). Never a person a finding is about.", valueName: "email"))
    var reporter: String?

    @Option(name: .long, help: ArgumentHelp("Accepted findings (JSON: exceptions with rule, subject, until, reason, approved_by): listed as suppressed, left out of the tickets.", valueName: "file"))
    var exceptions: String?

    @Option(name: .long, help: ArgumentHelp("Networks logins are expected from (one CIDR per line, # comments): adds the finding 'login from outside the allowed networks'.", valueName: "file"))
    var allowedNetworks: String?

    @Flag(name: .long, help: "Write a report for a period without any event (it says so plainly) instead of ending with exit 1.")
    var allowEmpty = false

    @Flag(name: .long, help: "Accept inputs that cover only part of the period without a warning (the report still says so).")
    var allowPartial = false

    @Option(name: .long, help: ArgumentHelp("The month before's report twin (…-report.json) to compare with (default: found in the output folder).", valueName: "file"))
    var previous: String?

    @Option(name: .long, help: ArgumentHelp("Who reviews the report, as \"Name <e-mail>\": a review block with a signature line in every format.", valueName: "reviewer"))
    var reviewer: String?

    @Option(name: .long, help: ArgumentHelp("How often the report is reviewed: monthly or weekly (sets the next review's due date).", valueName: "cadence"))
    var reviewCadence: Review.Cadence = .monthly

    @OptionGroup var common: CommonOptions

    var formats: [ReportJob.Format] {
        get throws {
            try format.split(separator: ",").map { name in
                guard let f = ReportJob.Format(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                    throw ValidationError("unknown format '\(name)'; use a comma-separated list of \(ReportJob.Format.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return f
            }
        }
    }

    /// The e-mail in `--reviewer "Name <e-mail>"`.
    var reviewerEmail: String? {
        guard let reviewer, let open = reviewer.lastIndex(of: "<"), let close = reviewer.lastIndex(of: ">"), open < close else { return nil }
        return String(reviewer[reviewer.index(after: open)..<close])
    }

    func validate() throws {
        if inputs.isEmpty && store == nil { throw ValidationError("name at least one input file, or --store DIR") }
        if tickets != nil && reporter == nil && reviewerEmail == nil {
            throw ValidationError("--tickets needs --reporter EMAIL (or --reviewer \"Name <e-mail>\"): the person who reviews the report, never a person a finding is about")
        }
        if let reviewer, reviewerEmail == nil || reviewer.count > 200 || reviewer.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw ValidationError("--reviewer takes \"Name <e-mail>\", e.g. \"Eva Muster <eva@example.com>\"")
        }
        if let reporter, !reporter.contains("@") || reporter.count > 200 || reporter.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw ValidationError("--reporter takes an e-mail address")
        }
        if try formats.isEmpty && !dryRun { throw ValidationError("--format needs at least one of \(ReportJob.Format.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let maxEventRows, maxEventRows < 0 { throw ValidationError("--max-event-rows must be zero or more") }
        if rulesReplace && rules == nil { throw ValidationError("--rules-replace needs --rules FILE") }
        do {
            _ = try ReportPeriod(parsing: month, zone: ZoneResolver(timeZone: TimeZone(identifier: "UTC")!))
        } catch let error as ReportPeriod.InvalidMonth {
            throw ValidationError(String(error.description.dropFirst("error: ".count)))
        }
    }

    /// The store's segments that can hold events of the period or of the month before.
    static func segments(of store: String, for period: ReportPeriod, zone: ZoneResolver) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: store, isDirectory: &isDir), isDir.boolValue else {
            throw CommandFailure(message: "error: \(store): no such store folder")
        }
        let layout = StoreLayout(directory: store)
        let first = StoreLayout.Day(period.previous(zone: zone).start)
        let segments = layout.segments(from: first, to: StoreLayout.Day(period.end))
        let inMonth = layout.segments(from: StoreLayout.Day(period.start), to: StoreLayout.Day(period.end))
        if inMonth.isEmpty {
            let days = layout.segments().map(\.day)
            let held = days.isEmpty ? "it holds no segment yet" : "it holds \(days.first!) to \(days.last!)"
            throw CommandFailure(message: "error: \(store): the store has no segment for \(period.identifier) (\(held))")
        }
        return segments
    }

    func run() throws {
        try runReportingErrors {
            let localizer = try common.localizer()
            var findingRules = rulesReplace ? FindingRules(rules: []) : try FindingRules.load(from: localizer.store.directory.appendingPathComponent("findings.json"))
            if let rules { findingRules = FindingRules.merging(findingRules, try FindingRules.load(from: URL(fileURLWithPath: rules))) }
            let period = try ReportPeriod(parsing: month, zone: ZoneResolver(timeZone: common.zone))
            var inputs = self.inputs
            if let store { inputs += try Self.segments(of: store, for: period, zone: ZoneResolver(timeZone: common.zone)) }
            var options = ReportJob.Options(
                inputs: inputs, period: period, outputDirectory: URL(fileURLWithPath: outputDir), formats: dryRun ? [] : try formats, dialect: common.csvDialect,
                inputTimeZone: common.inputZone, inputZoneCandidates: common.inputZoneCandidates, inputEncoding: common.inputEncoding, temporaryDirectory: common.temporaryDirectory,
                maxEventRows: maxEventRows, reportDate: try sourceDateEpoch(),
                templatesDirectory: try formats.contains(.html) ? ResourceLocator.folder("Templates", flag: common.resources) : nil, rules: findingRules,
                ticketsPath: dryRun ? nil : tickets)
            options.allowEmpty = allowEmpty
            options.allowPartial = allowPartial
            options.previousTwin = previous.map { URL(fileURLWithPath: $0) }
            options.review = reviewer.map { Review(reviewer: $0, cadence: reviewCadence) }
            options.rulesFiles = (rulesReplace ? [] : [localizer.store.directory.appendingPathComponent("findings.json").path]) + (rules.map { [$0] } ?? [])
            options.exceptions = try exceptions.map { try Exceptions.load(from: URL(fileURLWithPath: $0)) }
            options.reporter = reporter ?? reviewerEmail ?? ""
            if let allowedNetworks {
                options.rules = FindingRules.merging(options.rules, FindingRules(rules: [try FindingRules.allowedNetworksRule(from: URL(fileURLWithPath: allowedNetworks))]))
                options.rulesFiles.append(allowedNetworks)
            }
            var job = ReportJob(options: options, localizer: localizer, diagnostics: common.diagnostics())
            let diagnostics = job.diagnostics
            let progress = ProgressDisplay.make(quiet: common.quiet)
            job.onProgress = progress.map { display in { display.report($0) } }
            defer { progress?.finish() }
            let result = try job.run()
            if WaitLedger.shared.enabled { Terminal.error(WaitLedger.shared.summary(), lines: true) }
            if !common.quiet {
                let duplicates = result.inputs.reduce(0) { $0 + $1.duplicatesDropped }
                let outside = result.inputs.reduce(0) { $0 + $1.outsidePeriod }
                let suppressed = result.facts.findings?.filter { $0.suppression != nil }.count ?? 0
                func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
                Terminal.error(
                    "\(n(result.inputs.count, "input", "inputs")): \(n(result.events, "event", "events")) in \(period.identifier), "
                        + "\(n(duplicates, "duplicate", "duplicates")) dropped, \(outside) outside the month, \(n(result.unmapped.count, "unmapped event type", "unmapped event types")), "
                        + "\(n(diagnostics.warningCount, "warning", "warnings")), \(n(result.facts.findings?.count ?? 0, "finding", "findings"))"
                        + (suppressed > 0 ? " (\(suppressed) suppressed)" : ""))
            }
            // Standard output (`-`) carries the tickets themselves, not a path.
            for path in result.written where path != "-" { Terminal.output(path) }
        }
    }
}

extension Review.Cadence: ExpressibleByArgument {}
