import Foundation

/// The everyday conversion: every event of the inputs into one file whose format follows its
/// extension.
public struct ConvertJob {
    /// Output formats `convert` writes, by file extension.
    public enum Format: String, CaseIterable, Sendable {
        case csv
        case xlsx
        /// JSON lines with stable keys; `.jsonl.gz` compressed.
        case jsonl
    }

    public struct Options {
        public var inputs: [String]
        public var output: String
        public var dialect: CSVDialect
        public var inputTimeZone: TimeZone
        /// Zones to try for CSV times that name none, when `inputTimeZone` was not given (see
        /// `CSVZoneInference`); nil to use `inputTimeZone` as it is.
        public var inputZoneCandidates: [TimeZone]?
        /// The inputs' text encoding, when given; else worked out per file.
        public var inputEncoding: TextEncoding?
        public var temporaryDirectory: URL
        /// Data rows per events sheet; Excel's limit unless a test needs a small one.
        public var rowsPerSheet: Int
        /// The workbook's fixed creation date (`SOURCE_DATE_EPOCH`); the newest event's time when nil.
        public var creationDate: Timestamp?
        /// Write newest-first inputs as they are read (see `run`); false always sorts first.
        public var streams = true

        public init(inputs: [String], output: String, dialect: CSVDialect = .rfc4180, inputTimeZone: TimeZone = TimeZone(identifier: "UTC")!, inputZoneCandidates: [TimeZone]? = nil, inputEncoding: TextEncoding? = nil, temporaryDirectory: URL = FileManager.default.temporaryDirectory, rowsPerSheet: Int = XLSXEventSheetWriter.excelRowLimit, creationDate: Timestamp? = nil) {
            self.rowsPerSheet = rowsPerSheet
            self.creationDate = creationDate
            self.inputs = inputs
            self.output = output
            self.dialect = dialect
            self.inputTimeZone = inputTimeZone
            self.inputZoneCandidates = inputZoneCandidates
            self.inputEncoding = inputEncoding
            self.temporaryDirectory = temporaryDirectory
        }
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

    /// The format an output path asks for, or nil.
    public static func format(of path: String) -> Format? {
        let url = URL(fileURLWithPath: path)
        if url.pathExtension.lowercased() == "gz" { return url.deletingPathExtension().pathExtension.lowercased() == "jsonl" ? .jsonl : nil }
        return Format(rawValue: url.pathExtension.lowercased())
    }

    /// Converts; returns the number of events written.
    ///
    /// Inputs that are newest first (Notion's export is) are written as they are read, so
    /// reading overlaps writing (`EventPipeline.Options.streams`). An input found out of that
    /// order past its first events makes the run start again, sorting; the output written so
    /// far is a temporary file, and goes.
    /// - Throws: `ReadError`, `StrictModeError`, `OutputError`, `RenderError`.
    @discardableResult
    public func run() throws -> Int {
        try EventPipeline.streamingOrSorting(options.streams, diagnostics: diagnostics) { try convert(streams: $0) }
    }

    private func convert(streams: Bool) throws -> Int {
        let output = try AtomicOutput(path: options.output, protectedPaths: options.inputs)
        // Only a temporary file can be thrown away when the run must start again.
        let streams = streams && output.mode == .atomic
        let written = try write(output, streams: streams)
        try output.commit()
        onProgress?(.wrote(path: options.output))
        return written
    }

    /// Writes the output's temporary file; returns the number of events written.
    private func write(_ output: AtomicOutput, streams: Bool) throws -> Int {
        var pipelineOptions = EventPipeline.Options(inputs: options.inputs, inputTimeZone: options.inputTimeZone, zoneCandidates: options.inputZoneCandidates, temporaryDirectory: options.temporaryDirectory, inputEncoding: options.inputEncoding)
        pipelineOptions.streams = streams
        let pipeline = EventPipeline(store: localizer.store, options: pipelineOptions, diagnostics: diagnostics)
        pipeline.onProgress = onProgress.map { report in { report(.reading(bytes: $0, total: $1)) } }
        try pipeline.read()
        // A streamed run's progress is its reading; a spooled one counts the events written.
        let toWrite = pipeline.isStreamed ? nil : pipeline.spooledEvents
        var handedOn = 0
        func tick() {
            handedOn += 1
            if handedOn & 0x3FFF == 0, let toWrite { onProgress?(.writing(events: handedOn, total: toWrite)) }
        }
        let sources = InputNames.distinct(options.inputs)
        switch ConvertJob.format(of: options.output) ?? .csv {
        case .csv:
            let file = try output.open()
            let renderer = EventCSVRenderer(file: file, dialect: options.dialect, localizer: localizer, extraColumns: pipeline.extraColumns, sources: sources)
            try pipeline.emit {
                tick()
                renderer.write($0)
            }
            try file.close()
        case .xlsx:
            try writeWorkbook(pipeline, output: output, sources: sources, tick: tick)
        case .jsonl:
            let file = try output.open()
            if options.output.lowercased().hasSuffix(".gz") {
                let gzip = try GzipWriter(file: file)
                let renderer = EventJSONLinesRenderer(catalog: localizer.catalog, sources: sources) { gzip.write($0) }
                try pipeline.emit {
                    tick()
                    renderer.write($0)
                }
                try gzip.close()
            } else {
                let renderer = EventJSONLinesRenderer(catalog: localizer.catalog, sources: sources) { file.write($0) }
                try pipeline.emit {
                    tick()
                    renderer.write($0)
                }
                try file.close()
            }
        }
        return pipeline.emitted
    }

    /// A small summary first, then every event with the inputs' own columns at the end.
    private func writeWorkbook(_ pipeline: EventPipeline, output: AtomicOutput, sources: [String], tick: () -> Void) throws {
        let zone = ZoneResolver(timeZone: localizer.timeZone)
        var aggregate = ReportAggregator(period: nil, zone: zone, catalog: localizer.catalog)
        let workbook = try XLSXWorkbook(path: output.temporaryPath, displayPath: output.finalPath, created: options.creationDate ?? Timestamp(milliseconds: 0), temporaryDirectory: options.temporaryDirectory.path)
        let summary = try workbook.addSheet(XLSXText.sheetName(localizer.string("sheet.summary"), existing: []))
        // The event rows are made here, where merging and counting leave a core half idle, and
        // written on the second core (libxlsxwriter), which was the slower side when it did both.
        let events = XLSXEventSheetWriter.forRun(workbook: workbook, localizer: try localizer.copy(), pipeline: pipeline, sources: sources, rowsPerSheet: options.rowsPerSheet)
        let relay = EventRelay<XLSXEventSheetWriter.Row> { try events.write($0) }
        defer { relay.stop() }
        try pipeline.emit { event in
            tick()
            aggregate.add(event)
            try relay.send(events.row(event))
        }
        try relay.finish()
        try events.finish()
        // Without SOURCE_DATE_EPOCH the creation date is the newest event's: never the clock's,
        // so the same input gives the same bytes.
        let created = options.creationDate ?? aggregate.lastEvent ?? Timestamp(milliseconds: 0)
        try workbook.setCreated(created)
        var facts = ReportFacts(
            period: nil, aggregate: aggregate, inputs: pipeline.inputs, inputNames: sources, unmapped: pipeline.unmappedKeys, reportDate: created)
        facts.eventSheets = events.sheets.count
        facts.csvZone = pipeline.csvZone
        facts.unmappedBeyondLimit = pipeline.unmappedBeyondLimit
        let renderer = XLSXReportRenderer(workbook: workbook, localizer: localizer, facts: facts)
        try renderer.writeConversionSummary(summary)
        try renderer.writeUnmapped()
        try workbook.close()
    }
}
