import Foundation

/// The monthly report: reads every input, keeps the month's events (and the month before, for
/// the comparison), and writes the report files for one language into one folder.
public struct ReportJob {
    /// The files a report can consist of.
    public enum Format: String, CaseIterable, Sendable {
        case xlsx
        case html
        case csv
        /// The machine-readable twin, `…-report.json`.
        case json
    }

    public struct Options {
        public var inputs: [String]
        public var period: ReportPeriod
        public var outputDirectory: URL
        public var formats: [Format]
        public var dialect: CSVDialect
        public var inputTimeZone: TimeZone
        /// Zones to try for CSV times that name none, when `inputTimeZone` was not given (see
        /// `CSVZoneInference`); nil to use `inputTimeZone` as it is.
        public var inputZoneCandidates: [TimeZone]?
        /// The inputs' text encoding, when given; else worked out per file.
        public var inputEncoding: TextEncoding?
        public var temporaryDirectory: URL
        /// At most this many event rows in the workbook (`--max-event-rows`).
        public var maxEventRows: Int?
        /// Data rows per events sheet; Excel's limit unless a test needs a small one.
        public var rowsPerSheet: Int
        /// The report's fixed date; the end of the period when nil.
        public var reportDate: Timestamp?
        /// Where `report.html.mustache` is (needed for the HTML format).
        public var templatesDirectory: URL?
        /// The finding rules to apply.
        public var rules: FindingRules
        /// Where to write the findings as Opal access-request tickets (`--tickets`), if anywhere.
        public var ticketsPath: String?
        /// Write a report when the period holds no event (it says so plainly); else that ends the run.
        public var allowEmpty = false
        /// Accept inputs that cover only part of the period without a warning.
        public var allowPartial = false
        /// The month before's twin (`--previous`); else looked for in the output folder.
        public var previousTwin: URL?
        /// Who reviews the report, and how often (`--reviewer`, `--review-cadence`).
        public var review: Review?
        /// The rules files the rules came from (the manifest records their hashes).
        public var rulesFiles: [String] = []
        /// Accepted findings (`--exceptions`).
        public var exceptions: Exceptions?
        /// Who reviews the findings: the tickets' reporter (`--reporter`; never the suspect).
        public var reporter = ""
        /// Write `…-manifest.json` (with every file written).
        public var manifest = true
        /// Write newest-first inputs as they are read (see `run`); false always sorts first.
        public var streams = true

        public init(
            inputs: [String], period: ReportPeriod, outputDirectory: URL, formats: [Format] = Format.allCases, dialect: CSVDialect = .rfc4180,
            inputTimeZone: TimeZone = TimeZone(identifier: "UTC")!, inputZoneCandidates: [TimeZone]? = nil, inputEncoding: TextEncoding? = nil, temporaryDirectory: URL = FileManager.default.temporaryDirectory,
            maxEventRows: Int? = nil, rowsPerSheet: Int = XLSXEventSheetWriter.excelRowLimit, reportDate: Timestamp? = nil, templatesDirectory: URL? = nil,
            rules: FindingRules = FindingRules(rules: []), ticketsPath: String? = nil
        ) {
            self.rules = rules
            self.ticketsPath = ticketsPath
            self.templatesDirectory = templatesDirectory
            self.inputs = inputs
            self.period = period
            self.outputDirectory = outputDirectory
            self.formats = formats
            self.dialect = dialect
            self.inputTimeZone = inputTimeZone
            self.inputZoneCandidates = inputZoneCandidates
            self.inputEncoding = inputEncoding
            self.temporaryDirectory = temporaryDirectory
            self.maxEventRows = maxEventRows
            self.rowsPerSheet = rowsPerSheet
            self.reportDate = reportDate
        }
    }

    /// What a run wrote and read.
    public struct Result {
        public var written: [String]
        public var events: Int
        public var inputs: [EventPipeline.InputSummary]
        public var unmapped: [EventPipeline.UnmappedKey]
        public var facts: ReportFacts
    }

    public let options: Options
    public let localizer: Localizer
    public let diagnostics: DiagnosticsEngine
    /// Told where the run is (reading, writing, each file written).
    public var onProgress: ((RunProgress) -> Void)?

    public init(options: Options, localizer: Localizer, diagnostics: DiagnosticsEngine) {
        self.options = options
        self.localizer = localizer
        self.diagnostics = diagnostics
    }

    /// Warnings and notes listed in the report (the run prints them all).
    public static let listedDiagnostics = 100

    /// The file name of one output: `audit-report-2026-10-de.xlsx`, `audit-report-2026-10-de-events.csv`.
    public func fileName(_ part: String, _ ext: String) -> String {
        "audit-report-\(options.period.identifier)-\(localizer.language)\(part.isEmpty ? "" : "-" + part).\(ext)"
    }

    /// Each finding not suppressed as an Opal ticket, one to one: status Open, priority from
    /// severity, the reviewer as reporter (never a person the finding is about), the title naming
    /// the finding, its subject and the month, the first and last event's times (to the minute,
    /// as Notion keeps them).
    public static func tickets(for facts: ReportFacts, _ l: Localizer, reporter: String) -> [Ticket] {
        let month = facts.period.map { l.monthTitle(year: $0.year, month: $0.month) } ?? ""
        return (facts.findings ?? []).filter { $0.suppression == nil }.map { f in
            let rule = facts.rules.rules.first { $0.id == f.ruleID }
            var title = l.findingTitle(f, rule: rule)
            // A setting is the finding's own subject: who changed it says more.
            let subject = f.subjectKind == "setting" ? f.actors.joined(separator: ", ") : l.findingSubject(f)
            if !subject.isEmpty { title += ": " + subject }
            if !month.isEmpty { title += " (\(month))" }
            func minute(_ t: Timestamp) -> Timestamp { Timestamp(milliseconds: floorDiv(t.milliseconds, 60_000) * 60_000) }
            return Ticket(title: title, status: "Open", reporter: reporter, priorities: [Ticket.priority(for: f.severity)], created: minute(f.first), lastEdited: minute(f.last))
        }
    }

    /// Runs the report. Nothing is moved into place unless every output was written.
    ///
    /// When every input is newest first (Notion's CSV export is) or a stream oldest first (a
    /// SIEM stream as delivered, read from its end), events are written as they are read
    /// (`EventPipeline.Options.streams`). An input found out of that order
    /// past its first events makes the run start again, sorting; what it wrote were temporary
    /// files, and go.
    /// - Throws: `ReadError`, `StrictModeError`, `OutputError`, `RenderError`.
    public func run() throws -> Result {
        // A run that fails leaves no output folder it made behind.
        let directory = options.outputDirectory.path
        let makesDirectory = !options.formats.isEmpty && !FileManager.default.fileExists(atPath: directory)
        if makesDirectory {
            do {
                try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
            } catch {
                throw OutputError.cannotCreate(path: directory, reason: Self.whyNoFolder(directory))
            }
        }
        do {
            return try EventPipeline.streamingOrSorting(options.streams, diagnostics: diagnostics) { try runWritingOutputs(streams: $0) }
        } catch {
            // Every output's temporary file is gone by now (they are released with the run).
            if makesDirectory, (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: directory)
            }
            throw error
        }
    }

    /// Why a folder cannot be made: the nearest existing part of its path is a file, or cannot
    /// be written.
    static func whyNoFolder(_ path: String) -> String {
        var url = URL(fileURLWithPath: path)
        while url.path != "/" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(url.path) is a file, not a folder" }
                if !FileManager.default.isWritableFile(atPath: url.path) { return "\(url.path) is not writable" }
                break
            }
            url.deleteLastPathComponent()
        }
        return "the folder cannot be created"
    }

    private func runWritingOutputs(streams: Bool) throws -> Result {
        let zone = ZoneResolver(timeZone: localizer.timeZone)
        let previous = options.period.previous(zone: zone)
        var pipelineOptions = EventPipeline.Options(
            inputs: options.inputs, inputTimeZone: options.inputTimeZone, zoneCandidates: options.inputZoneCandidates, period: options.period,
            comparisonPeriod: previous, temporaryDirectory: options.temporaryDirectory, inputEncoding: options.inputEncoding)
        pipelineOptions.streams = streams
        let pipeline = EventPipeline(store: localizer.store, options: pipelineOptions, diagnostics: diagnostics)
        pipeline.acceptsTickets = true
        let sources = InputNames.distinct(options.inputs)
        let reportDate = options.reportDate ?? options.period.end
        let context = OutputContext(options: options, localizer: localizer, pipeline: pipeline, sources: sources, reportDate: reportDate)
        // Every output is made before reading, so a path that cannot be written fails fast.
        let outputs = try makeOutputs(context)
        let files = outputs.flatMap(\.files)
        for (i, a) in files.enumerated() {
            for b in files[(i + 1)...] where a.collides(with: b) {
                throw OutputError.cannotCreate(path: b.finalPath, reason: "\(a.finalPath), another output of this run, is written there; choose another path")
            }
        }
        var finished = false
        defer { if !finished { for output in outputs { output.abandon() } } }
        // Only temporary files can be thrown away when the run must start again (a ticket
        // file may go to a device).
        if !files.allSatisfy({ $0.mode == .atomic }) { pipeline.options.streams = false }

        pipeline.onProgress = onProgress.map { report in { report(.reading(bytes: $0, total: $1)) } }
        try pipeline.read()
        // A streamed run's progress is its reading; a spooled one counts the events written.
        let toWrite = pipeline.isStreamed ? nil : pipeline.spooledEvents
        var handedOn = 0
        // The aggregate has a zone of its own: it may count on another thread.
        var aggregate = ReportAggregator(period: options.period, zone: ZoneResolver(timeZone: localizer.timeZone), catalog: localizer.catalog)
        var findings = FindingsEngine(rules: options.rules, catalog: localizer.catalog, period: options.period, sources: sources)
        let period = options.period
        let count: (AuditEvent) -> Void = { event in
            findings.add(event)
            if period.contains(event.timestamp) { aggregate.add(event) } else { aggregate.addPrevious(event) }
        }
        // Counting runs on the second core unless an output's rows already keep it busy (a dry
        // run, or a run without a workbook); the aggregate and findings are read only after it.
        let counter = outputs.contains(where: \.takesOnItsOwnThread) ? nil : EventRelay(name: "audit-report counter") { count($0) }
        defer { counter?.stop() }
        // The events' cells are made once, here, when an output shows them; any output may use them.
        let makesTexts = outputs.contains(where: \.showsEventTexts)
        let extraColumns = pipeline.extraColumns
        try pipeline.emit { event in
            handedOn += 1
            if handedOn & 0x3FFF == 0, let toWrite { onProgress?(.writing(events: handedOn, total: toWrite)) }
            if period.contains(event.timestamp) {
                let texts = makesTexts ? EventTexts(event, localizer, sources: sources, extraColumns: extraColumns) : nil
                for output in outputs { try output.take(event, texts: texts) }
            }
            // Last, so the event is moved to the counting thread, not copied.
            if let counter { try counter.send(consume event) } else { count(event) }
        }
        try counter?.finish()
        var facts = ReportFacts(period: options.period, aggregate: aggregate, inputs: pipeline.inputs, inputNames: sources, unmapped: pipeline.unmappedKeys, reportDate: reportDate)
        let coverage = Coverage(period: options.period, inputs: pipeline.inputs, eventsInPeriod: aggregate.total, zone: zone)
        facts.coverage = coverage
        // Messages of the run are in English, as every diagnostic (the report says it in its language).
        let english = try localizer.language == LocaleStore.baseLanguage ? localizer : Localizer(store: localizer.store, language: LocaleStore.baseLanguage, timeZone: localizer.timeZone)
        switch coverage.verdict {
        case .noData where !options.allowEmpty:
            throw RunError.noEvents(english.string("error.no_events", [
                "period": options.period.identifier, "zone": ZoneResolver.name(localizer.timeZone), "span": facts.inputSpanText(english),
            ]))
        case .partial where !options.allowPartial:
            try diagnostics.emit(Diagnostic(file: "", line: 0, english.string("warning.partial", [
                "period": options.period.identifier, "details": facts.coverageMissing(english).prefix(3).joined(separator: " "),
            ])))
        default: break
        }
        facts.csvZone = pipeline.csvZone
        facts.unmappedBeyondLimit = pipeline.unmappedBeyondLimit
        facts.warnings = diagnostics.warningCount
        // Files by their names, as everywhere in the report: the same inputs elsewhere give the same report.
        facts.diagnostics = diagnostics.diagnostics.prefix(ReportJob.listedDiagnostics).map { d in
            var d = d
            if !d.file.isEmpty { d.file = options.inputs.firstIndex(of: d.file).map { sources[$0] } ?? URL(fileURLWithPath: d.file).lastPathComponent }
            return Diagnostic.inert(d.description)
        }
        // Taken while reading where the input was read to its end; else read again.
        facts.inputDigests = try options.inputs.indices.map { i in
            try (i < pipeline.inputs.count ? pipeline.inputs[i].read.sha256 : nil) ?? SHA256.file(options.inputs[i]).digest
        }
        var found = findings.finish()
        for warning in options.exceptions?.apply(to: &found, period: options.period) ?? [] {
            try diagnostics.emit(Diagnostic(file: options.exceptions?.path ?? "", line: 0, warning))
        }
        facts.findings = found
        facts.considered = findings.considered
        facts.rules = options.rules
        facts.review = options.review
        (facts.comparison, facts.history) = try earlierMonths(zone: zone)
        if pipeline.inputs.contains(where: { $0.read.kind == .ticketsCSV }) { facts.accessRequests = AccessRequests(pipeline.tickets) }
        try OutputFinisher.finish(outputs, facts)
        finished = true
        try AtomicOutput.commitAll(files)
        let written = files.map(\.finalPath)
        for path in written { onProgress?(.wrote(path: path)) }
        return Result(written: written, events: aggregate.total, inputs: pipeline.inputs, unmapped: pipeline.unmappedKeys, facts: facts)
    }

    /// The month before (from `--previous` or its twin in the output folder) and, for the trend,
    /// the twins of up to eleven months before this one found there, oldest first.
    /// - Throws: `CatalogError` for a `--previous` file that is no twin.
    private func earlierMonths(zone: ZoneResolver) throws -> (MonthComparison?, [MonthComparison]) {
        var history: [MonthComparison] = []
        var period = options.period
        let previousMonth = options.period.previous(zone: zone).identifier
        for _ in 0..<11 {
            period = period.previous(zone: zone)
            let url = options.outputDirectory.appendingPathComponent("audit-report-\(period.identifier)-\(localizer.language)-report.json")
            if FileManager.default.fileExists(atPath: url.path), let twin = try? MonthComparison.load(from: url), twin.month == period.identifier {
                // Only the month before is compared finding by finding; the trend needs counts.
                history.insert(twin.month == previousMonth && options.previousTwin == nil ? twin : twin.forTrend, at: 0)
            }
        }
        var comparison = history.last.flatMap { $0.month == previousMonth ? $0 : nil }
        if let url = options.previousTwin {
            comparison = try MonthComparison.load(from: url)
            history.removeAll { $0.month == comparison?.month }
            if let c = comparison { history.append(c) }
            history.sort { $0.month < $1.month }
        }
        return (comparison, history)
    }

    /// The outputs the options ask for, in the order their files are reported.
    private func makeOutputs(_ context: OutputContext) throws -> [ReportOutput] {
        var outputs: [ReportOutput] = []
        if options.formats.contains(.xlsx) { outputs.append(try WorkbookOutput(context, name: fileName("", "xlsx"))) }
        if options.formats.contains(.html) { outputs.append(try HTMLOutput(context, name: fileName("", "html"))) }
        if options.formats.contains(.csv) {
            outputs.append(try EventsCSVOutput(context, name: fileName("events", "csv")))
            outputs.append(try TablesCSVOutput(context) { fileName($0, "csv") })
        }
        if options.formats.contains(.json) { outputs.append(try JSONOutput(context, name: fileName("report", "json"))) }
        if let tickets = options.ticketsPath { outputs.append(try TicketsOutput(context, path: tickets)) }
        // The manifest comes last: it hashes every other file once they are written.
        if options.manifest && !outputs.isEmpty {
            let manifest = try ManifestOutput(context, name: fileName("manifest", "json"))
            manifest.covered = outputs.flatMap(\.files)
            outputs.append(manifest)
        }
        return outputs
    }
}
