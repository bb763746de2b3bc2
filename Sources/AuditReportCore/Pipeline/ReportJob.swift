import Foundation

/// The monthly report: reads every input, keeps the month's events (and the month before, for
/// the comparison), and writes the report files for one language into one folder.
public struct ReportJob {
    /// The files a report can consist of.
    public enum Format: String, CaseIterable, Sendable {
        case xlsx
        case html
        case csv
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

    /// The file name of one output: `audit-report-2026-10-de.xlsx`, `audit-report-2026-10-de-events.csv`.
    public func fileName(_ part: String, _ ext: String) -> String {
        "audit-report-\(options.period.identifier)-\(localizer.language)\(part.isEmpty ? "" : "-" + part).\(ext)"
    }

    /// Each finding as an Opal ticket: status Open, priority from severity, the first person
    /// involved as reporter, the first and last event's times (to the minute, as Notion keeps them).
    public static func tickets(for facts: ReportFacts, _ l: Localizer) -> [Ticket] {
        let month = facts.period.map { l.monthTitle(year: $0.year, month: $0.month) } ?? ""
        return (facts.findings ?? []).map { f in
            let rule = facts.rules.rules.first { $0.id == f.ruleID }
            var title = l.findingTitle(f.ruleID, rule: rule)
            if !f.subject.isEmpty { title += ": " + f.subject }
            if !month.isEmpty { title += " (\(month))" }
            func minute(_ t: Timestamp) -> Timestamp { Timestamp(milliseconds: floorDiv(t.milliseconds, 60_000) * 60_000) }
            return Ticket(title: title, status: "Open", reporter: f.actors.first ?? "", priorities: [Ticket.priority(for: f.severity)], created: minute(f.first), lastEdited: minute(f.last))
        }
    }

    /// Runs the report. Nothing is moved into place unless every output was written.
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
            return try runWritingOutputs()
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

    private func runWritingOutputs() throws -> Result {
        let zone = ZoneResolver(timeZone: localizer.timeZone)
        let previous = options.period.previous(zone: zone)
        let pipeline = EventPipeline(
            store: localizer.store,
            options: .init(inputs: options.inputs, inputTimeZone: options.inputTimeZone, zoneCandidates: options.inputZoneCandidates, period: options.period, comparisonPeriod: previous,
                temporaryDirectory: options.temporaryDirectory, inputEncoding: options.inputEncoding),
            diagnostics: diagnostics)
        let sources = options.inputs.map { URL(fileURLWithPath: $0).lastPathComponent }
        func output(_ part: String, _ ext: String) throws -> AtomicOutput {
            try AtomicOutput(path: options.outputDirectory.appendingPathComponent(fileName(part, ext)).path, protectedPaths: options.inputs)
        }
        // Open every output before reading, so a path that cannot be written fails fast.
        let csvOutput = options.formats.contains(.csv) ? try output("events", "csv") : nil
        let tableOutputs = options.formats.contains(.csv) ? try ["findings", "pages", "actors", "summary"].map { try output($0, "csv") } : []
        let xlsxOutput = options.formats.contains(.xlsx) ? try output("", "xlsx") : nil
        let htmlOutput = options.formats.contains(.html) ? try output("", "html") : nil
        let ticketsOutput = try options.ticketsPath.map { try AtomicOutput(path: $0, protectedPaths: options.inputs) }
        let outputs = [csvOutput, xlsxOutput, htmlOutput, ticketsOutput].compactMap { $0 } + tableOutputs
        for (i, a) in outputs.enumerated() {
            for b in outputs[(i + 1)...] where a.collides(with: b) {
                throw OutputError.cannotCreate(path: b.finalPath, reason: "\(a.finalPath), another output of this run, is written there; choose another path")
            }
        }
        pipeline.acceptsTickets = true
        // The template is read before the long work, so a missing one fails fast.
        let html = try htmlOutput.map { _ -> HTMLReportRenderer in
            guard let templates = options.templatesDirectory else { throw OutputError.renderFailed(path: "Templates", reason: "no templates folder for the HTML report") }
            return try HTMLReportRenderer(localizer: localizer, templatesDirectory: templates)
        }
        pipeline.onProgress = onProgress.map { report in { report(.reading(bytes: $0, total: $1)) } }
        try pipeline.read()
        let toWrite = pipeline.spooledEvents
        var handedOn = 0
        func tick() {
            handedOn += 1
            if handedOn & 0x3FFF == 0 { onProgress?(.writing(events: handedOn, total: toWrite)) }
        }

        var aggregate = ReportAggregator(period: options.period, zone: zone, catalog: localizer.catalog)
        let reportDate = options.reportDate ?? options.period.end
        let csvFile = try csvOutput.map { try $0.open() }
        let csv = csvFile.map { EventCSVRenderer(file: $0, dialect: options.dialect, localizer: localizer, extraColumns: pipeline.extraColumns, sources: sources) }
        let workbook = try xlsxOutput.map { try XLSXWorkbook(path: $0.temporaryPath, displayPath: $0.finalPath, created: reportDate, temporaryDirectory: options.temporaryDirectory.path) }
        let summarySheet = try workbook?.addSheet(XLSXText.sheetName(localizer.string("sheet.summary"), existing: []))
        let findingsSheet = try workbook.map { try $0.addSheet(XLSXText.sheetName(localizer.string("sheet.findings"), existing: $0.names)) }
        var findings = FindingsEngine(rules: options.rules, catalog: localizer.catalog, period: options.period, sources: sources)
        // The event rows are written on the second core (with a localizer of their own).
        let events = try workbook.map {
            XLSXEventSheetWriter.forRun(workbook: $0, localizer: try localizer.copy(), pipeline: pipeline, sources: sources, rowsPerSheet: options.rowsPerSheet, maxRows: options.maxEventRows)
        }
        let relay = events.map { events in EventRelay { try events.write($0) } }
        defer { relay?.stop() }
        try pipeline.emit { event in
            tick()
            findings.add(event)
            guard options.period.contains(event.timestamp) else {
                aggregate.addPrevious(event)
                return
            }
            aggregate.add(event)
            csv?.write(event)
            try relay?.send(event)
        }
        try relay?.finish()
        var facts = ReportFacts(period: options.period, aggregate: aggregate, inputs: pipeline.inputs, inputNames: sources, unmapped: pipeline.unmappedKeys, reportDate: reportDate)
        facts.csvZone = pipeline.csvZone
        facts.unmappedBeyondLimit = pipeline.unmappedBeyondLimit
        facts.warnings = diagnostics.warningCount
        facts.findings = findings.finish()
        facts.rules = options.rules
        if pipeline.inputs.contains(where: { $0.read.kind == .ticketsCSV }) { facts.accessRequests = AccessRequests(pipeline.tickets) }
        var written: [String] = []
        if let workbook, let summarySheet, let events, let xlsxOutput {
            try events.finish()
            facts.eventSheets = events.sheets.count
            facts.omittedEventRows = events.omitted
            let renderer = XLSXReportRenderer(workbook: workbook, localizer: localizer, facts: facts)
            try renderer.writeSummary(summarySheet)
            if let findingsSheet { try renderer.writeFindings(findingsSheet) }
            try renderer.writePages()
            try renderer.writeActors()
            try renderer.writeAccessRequests()
            try renderer.writeUnmapped()
            try workbook.close()
            written.append(xlsxOutput.finalPath)
        }
        if let html, let htmlOutput {
            let file = try htmlOutput.open()
            file.write(html.render(facts))
            try file.close()
            written.append(htmlOutput.finalPath)
        }
        if let csvFile, let csvOutput {
            try csvFile.close()
            written.append(csvOutput.finalPath)
            let tables = [ReportTable.findings(facts, localizer, maxEvidence: FindingsEngine.maxReferences), ReportTable.pages(facts, localizer), ReportTable.actors(facts, localizer), ReportTable.summary(facts, localizer)]
            for (table, output) in zip(tables, tableOutputs) {
                let file = try output.open()
                let writer = CSVWriter(file: file, dialect: options.dialect)
                writer.row(table.headers)
                for row in table.rows { writer.row(row.map { ReportTable.text($0, localizer, groupNumbers: false) }) }
                try file.close()
                written.append(output.finalPath)
            }
        }
        if let ticketsOutput {
            let file = try ticketsOutput.open()
            let writer = CSVWriter(file: file, dialect: .rfc4180)
            writer.row(Ticket.columns)
            for ticket in Self.tickets(for: facts, localizer) {
                writer.row([
                    ticket.title, ticket.status, ticket.reporter, ticket.priorities.joined(separator: ", "),
                    ticket.created.map { Ticket.notionDate(localizer.civil($0)) } ?? "", ticket.lastEdited.map { Ticket.notionDate(localizer.civil($0)) } ?? "",
                ])
            }
            try file.close()
            written.append(ticketsOutput.finalPath)
        }
        try AtomicOutput.commitAll([xlsxOutput, htmlOutput, ticketsOutput, csvOutput].compactMap { $0 } + tableOutputs)
        for path in written { onProgress?(.wrote(path: path)) }
        if aggregate.total == 0 {
            try diagnostics.emit(Diagnostic(.note, file: "", line: 0, "no events in \(options.period.identifier) (\(localizer.timeZone.identifier)); \(facts.outsidePeriod) events lie outside it"))
        }
        return Result(written: written, events: aggregate.total, inputs: pipeline.inputs, unmapped: pipeline.unmappedKeys, facts: facts)
    }
}
