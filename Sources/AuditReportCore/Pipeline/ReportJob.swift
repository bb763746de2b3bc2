import Foundation

/// The monthly report: reads every input, keeps the month's events, and writes the report
/// files for one language into one folder.
public struct ReportJob {
    public struct Options {
        public var inputs: [String]
        public var period: ReportPeriod
        public var outputDirectory: URL
        public var dialect: CSVDialect
        public var inputTimeZone: TimeZone
        public var temporaryDirectory: URL

        public init(inputs: [String], period: ReportPeriod, outputDirectory: URL, dialect: CSVDialect = .rfc4180, inputTimeZone: TimeZone = TimeZone(identifier: "UTC")!, temporaryDirectory: URL = FileManager.default.temporaryDirectory) {
            self.inputs = inputs
            self.period = period
            self.outputDirectory = outputDirectory
            self.dialect = dialect
            self.inputTimeZone = inputTimeZone
            self.temporaryDirectory = temporaryDirectory
        }
    }

    /// What a run wrote and read.
    public struct Result {
        public var written: [String]
        public var events: Int
        public var inputs: [EventPipeline.InputSummary]
        public var unmapped: [EventPipeline.UnmappedKey]
    }

    public let options: Options
    public let localizer: Localizer
    public let diagnostics: DiagnosticsEngine

    public init(options: Options, localizer: Localizer, diagnostics: DiagnosticsEngine) {
        self.options = options
        self.localizer = localizer
        self.diagnostics = diagnostics
    }

    /// The file name of one output: `audit-report-2026-10-de-events.csv`.
    public func fileName(_ part: String, _ ext: String) -> String {
        "audit-report-\(options.period.identifier)-\(localizer.language)\(part.isEmpty ? "" : "-" + part).\(ext)"
    }

    /// Runs the report.
    /// - Throws: `ReadError`, `StrictModeError`, `OutputError`.
    public func run() throws -> Result {
        try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
        let pipeline = EventPipeline(
            store: localizer.store,
            options: .init(inputs: options.inputs, inputTimeZone: options.inputTimeZone, period: options.period, temporaryDirectory: options.temporaryDirectory),
            diagnostics: diagnostics)
        try pipeline.read()
        let eventsPath = options.outputDirectory.appendingPathComponent(fileName("events", "csv")).path
        let output = try AtomicOutput(path: eventsPath, protectedPaths: options.inputs)
        let file = try OutputFile(path: output.temporaryPath)
        let renderer = EventCSVRenderer(file: file, dialect: options.dialect, localizer: localizer, extraColumns: pipeline.extraColumns, sources: options.inputs.map { URL(fileURLWithPath: $0).lastPathComponent })
        try pipeline.emit { renderer.write($0) }
        try file.close()
        try output.commit()
        if pipeline.emitted == 0 {
            try diagnostics.emit(Diagnostic(.note, file: "", line: 0, "no events in \(options.period.identifier) (\(localizer.timeZone.identifier)); \(pipeline.inputs.reduce(0) { $0 + $1.outsidePeriod }) events lie outside it"))
        }
        return Result(written: [eventsPath], events: pipeline.emitted, inputs: pipeline.inputs, unmapped: pipeline.unmappedKeys)
    }
}
