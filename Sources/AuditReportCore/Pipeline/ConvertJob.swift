import Foundation

/// The everyday conversion: every event of the inputs into one file whose format follows its
/// extension.
public struct ConvertJob {
    /// Output formats `convert` writes, by file extension.
    public enum Format: String, CaseIterable, Sendable {
        case csv
    }

    public struct Options {
        public var inputs: [String]
        public var output: String
        public var dialect: CSVDialect
        public var inputTimeZone: TimeZone
        public var temporaryDirectory: URL

        public init(inputs: [String], output: String, dialect: CSVDialect = .rfc4180, inputTimeZone: TimeZone = TimeZone(identifier: "UTC")!, temporaryDirectory: URL = FileManager.default.temporaryDirectory) {
            self.inputs = inputs
            self.output = output
            self.dialect = dialect
            self.inputTimeZone = inputTimeZone
            self.temporaryDirectory = temporaryDirectory
        }
    }

    public let options: Options
    public let localizer: Localizer
    public let diagnostics: DiagnosticsEngine

    public init(options: Options, localizer: Localizer, diagnostics: DiagnosticsEngine) {
        self.options = options
        self.localizer = localizer
        self.diagnostics = diagnostics
    }

    /// The format an output path asks for, or nil.
    public static func format(of path: String) -> Format? {
        Format(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased())
    }

    /// Converts; returns the number of events written.
    /// - Throws: `ReadError`, `StrictModeError`, `OutputError`.
    @discardableResult
    public func run() throws -> Int {
        let pipeline = EventPipeline(
            store: localizer.store,
            options: .init(inputs: options.inputs, inputTimeZone: options.inputTimeZone, temporaryDirectory: options.temporaryDirectory),
            diagnostics: diagnostics)
        let output = try AtomicOutput(path: options.output, protectedPaths: options.inputs)
        try pipeline.read()
        let file = try OutputFile(path: output.temporaryPath)
        let renderer = EventCSVRenderer(file: file, dialect: options.dialect, localizer: localizer, extraColumns: pipeline.extraColumns, sources: options.inputs.map { URL(fileURLWithPath: $0).lastPathComponent })
        try pipeline.emit { renderer.write($0) }
        try file.close()
        try output.commit()
        return pipeline.emitted
    }
}
