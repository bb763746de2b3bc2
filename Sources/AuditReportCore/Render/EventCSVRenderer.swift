/// Writes events as a localized CSV table: the fixed columns, then every unknown column of the
/// inputs under its original header.
public final class EventCSVRenderer {
    private let writer: CSVWriter
    private let localizer: Localizer
    private let extraColumns: [String]
    private let sources: [String]
    public private(set) var rows = 0

    /// Writes the header at once.
    /// - Parameter sources: names of the inputs, for the source column.
    public init(file: OutputFile, dialect: CSVDialect, localizer: Localizer, extraColumns: [String], sources: [String]) {
        writer = CSVWriter(file: file, dialect: dialect)
        self.localizer = localizer
        self.extraColumns = extraColumns
        self.sources = sources
        writer.row(EventColumn.allCases.map { $0.header(localizer) } + extraColumns)
    }

    public func write(_ event: AuditEvent) {
        write(EventTexts(event, localizer, sources: sources, extraColumns: extraColumns))
    }

    /// Writes an event's cells made with this renderer's extra columns.
    public func write(_ texts: EventTexts) {
        writer.row(texts.cells)
        rows += 1
    }
}
