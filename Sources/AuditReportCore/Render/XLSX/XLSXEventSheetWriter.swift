/// Streams events into the Events sheet as they come, newest first: a bold frozen header,
/// real date-time cells, every text a string; past Excel's row limit it goes on in "Events (2)",
/// "Events (3)" … with the header repeated.
///
/// Two steps, which may run on two threads: `row(_:)` makes an event's cells (the localizer's
/// work), `write(_:)` puts them in the sheet (libxlsxwriter's). Each step touches only its own
/// state, so one thread may make rows while another writes them.
public final class XLSXEventSheetWriter {
    /// Data rows per sheet: Excel's 1,048,576 rows less the header.
    public static let excelRowLimit = 1_048_575
    /// Columns per sheet.
    public static let excelColumnLimit = 16_384

    private let workbook: XLSXWorkbook
    private let localizer: Localizer
    private let columns: [EventCell]
    /// The inputs' own columns (they follow the standard ones), and where the first one is.
    private let extraNames: [String]
    private let firstExtra: Int
    private let baseName: String
    private let rowsPerSheet: Int
    private let maxRows: Int?
    private let sources: [String]
    private let onTruncated: (SourceLocation, String, String) throws -> Void
    /// What a text needs for a cell, remembered by the text's identity (most recur: labels,
    /// keys, e-mails, pages; a long title on many events), so that each is scanned once, not on
    /// every row. nil: it goes in as it is.
    private var cellTexts = TextIdentityCache<(text: String, truncated: Bool)?>(slots: 1 << 11)
    private var sheet: XLSXSheet?
    private var row = 0
    /// Sheets written, in order.
    public private(set) var sheets: [XLSXSheet] = []
    /// Events written, and events left out because of `maxRows`.
    public private(set) var written = 0
    public private(set) var omitted = 0
    private let dateFormat: XLSXFormat
    // Worked out when made, not on first use: rows and sheets may be made on different threads.
    private let marker: String
    private lazy var dateHandle = workbook.format(dateFormat)
    private let headers: [String]
    /// Whether its columns line up with `EventTexts` (see `init`).
    private let takesEventTexts: Bool
    /// The time column's index (-1 for none); its cell is a date, not a text.
    private let timeColumn: Int
    /// The columns' names in the terminal's messages, which are English.
    private let messageNames: [String]
    private let header = XLSXFormat(bold: true, fill: 0xDDE4EE, borderBottom: true)

    /// One event's cells: the time as a serial date, then each column's text ("" for none).
    public struct Row {
        var serial: Double
        var texts: [String]
    }

    /// What a column of the sheet holds.
    public enum EventCell: Equatable {
        case standard(EventColumn)
        /// An original column of the inputs, by its header.
        case extra(String)
    }

    /// The left part of the printed footer (the report's title and month), when there is one.
    public var footerTitle = ""

    /// - Parameters:
    ///   - columns: the columns, in order.
    ///   - rowsPerSheet: data rows before the next sheet starts (Excel's limit unless testing).
    ///   - maxRows: write at most this many events (`--max-event-rows`).
    ///   - onTruncated: told of an event's place in its input, the column and the text that was
    ///     cut at Excel's 32,767 characters.
    public init(workbook: XLSXWorkbook, localizer: Localizer, columns: [EventCell], sources: [String], rowsPerSheet: Int = excelRowLimit, maxRows: Int? = nil, onTruncated: @escaping (SourceLocation, String, String) throws -> Void) {
        self.workbook = workbook
        self.localizer = localizer
        self.columns = columns
        extraNames = columns.compactMap { if case .extra(let name) = $0 { return name } else { return nil } }
        firstExtra = columns.firstIndex { if case .extra = $0 { return true } else { return false } } ?? columns.count
        self.sources = sources
        self.rowsPerSheet = rowsPerSheet
        self.maxRows = maxRows
        self.onTruncated = onTruncated
        baseName = localizer.string("sheet.events")
        dateFormat = XLSXFormat(numberFormat: localizer.pack.format.excelDateTime)
        // `EventTexts` hold the standard columns in `EventColumn` order, then the run's extra
        // columns: a sheet whose columns begin so (`forRun`) can take its cells from them.
        let standard = EventColumn.allCases.map { EventCell.standard($0) }
        takesEventTexts = columns.count >= standard.count && Array(columns.prefix(standard.count)) == standard
        timeColumn = columns.firstIndex(of: .standard(.time)) ?? -1
        marker = localizer.string("xlsx.truncated_marker")
        headers = columns.map { column in
            switch column {
            case .standard(let c): return c.header(localizer)
            case .extra(let name): return name
            }
        }
        messageNames = columns.map { column in
            switch column {
            case .standard(let c): return c == .time ? "Time" : localizer.englishString("column.\(c.rawValue)")
            case .extra(let name): return name
            }
        }
    }

    private func startSheet() throws {
        if let sheet { try finish(sheet) }
        let name = XLSXText.sheetName(sheets.isEmpty ? baseName : "\(baseName) (\(sheets.count + 1))", existing: workbook.names)
        let next = try workbook.addSheet(name)
        for (i, title) in headers.enumerated() {
            try next.write(0, i, text: XLSXText.cell(title, marker: "").text, header)
        }
        next.freeze(rows: 1)
        sheets.append(next)
        sheet = next
        row = 0
    }

    /// Makes the event's row and writes it (both steps on this thread).
    public func write(_ e: AuditEvent) throws {
        if let maxRows, written >= maxRows {
            omitted += 1
            return
        }
        try write(row(e))
    }

    /// Makes the row of an event from its texts (see `row(timestamp:source:texts:)`) and writes it.
    public func write(timestamp: Timestamp, source: SourceLocation, texts: EventTexts) throws {
        if let maxRows, written >= maxRows {
            omitted += 1
            return
        }
        try write(row(timestamp: timestamp, source: source, texts: texts))
    }

    /// Whether `texts` hold this sheet's cells, so that `row(timestamp:source:texts:)` can make
    /// a row from them without the event.
    public func takes(_ texts: EventTexts) -> Bool {
        takesEventTexts && texts.cells.count == columns.count
    }

    /// The row of an event from its time, its place in its input and its `EventTexts` (the
    /// run's, made with the run's extra columns, of which this sheet's are the first; see
    /// `takes`): the texts' array is kept, and only a text that must change for a
    /// cell is replaced in it (the time column's text is not written: its cell is a date).
    public func row(timestamp: Timestamp, source: SourceLocation, texts: EventTexts) throws -> Row {
        precondition(takes(texts))
        var row = Row(serial: XLSXText.serial(localizer.civil(timestamp)), texts: texts.cells)
        for i in row.texts.indices where i != timeColumn {
            if let safe = try safeCell(row.texts[i], column: i, source: source) { row.texts[i] = safe }
        }
        return row
    }

    /// The event's cells, texts made safe for a cell; a text cut at Excel's limit is told to
    /// `onTruncated`. Uses the localizer, not the workbook.
    public func row(_ e: AuditEvent) throws -> Row {
        let extras = extraNames.isEmpty ? [] : Field.values(of: e.extras, for: extraNames)
        var row = Row(serial: 0, texts: [])
        row.texts.reserveCapacity(columns.count)
        for (i, column) in columns.enumerated() {
            var value: String
            switch column {
            case .standard(.time):
                row.serial = XLSXText.serial(localizer.civil(e.timestamp))
                value = ""
            case .standard(let c):
                value = c.text(e, localizer, sources: sources)
            case .extra:
                value = extras[i - firstExtra]
            }
            if let safe = try safeCell(value, column: i, source: e.source) { value = safe }
            row.texts.append(value)
        }
        return row
    }

    /// The text to write in place of `text`, or nil when it can go into a cell as it is; a text
    /// cut at Excel's limit is told to `onTruncated`.
    @inline(__always)
    private func safeCell(_ text: String, column: Int, source: SourceLocation) throws -> String? {
        if text.isEmpty { return nil }
        let safe: (text: String, truncated: Bool)?
        if let known = cellTexts.value(text) {
            safe = known
        } else {
            safe = XLSXText.changedCell(text, marker: marker)
            cellTexts.remember(text, safe)
        }
        guard let safe else { return nil }
        if safe.truncated { try onTruncated(source, messageNames[column], text) }
        return safe.text
    }

    /// Writes a row made by `row(_:)` (or counts it as omitted past `maxRows`). Uses the
    /// workbook, not the localizer.
    public func write(_ cells: Row) throws {
        if let maxRows, written >= maxRows {
            omitted += 1
            return
        }
        if sheet == nil || row >= rowsPerSheet { try startSheet() }
        guard let sheet else { return }
        row += 1
        for (i, column) in columns.enumerated() {
            if case .standard(.time) = column {
                try sheet.write(row, i, number: cells.serial, handle: dateHandle, width: 19)
            } else if !cells.texts[i].isEmpty {
                try sheet.write(row, i, text: cells.texts[i], handle: nil)
            }
        }
        written += 1
    }

    /// Ends the last sheet (filter and widths). Call once after the last event.
    public func finish() throws {
        if sheet == nil { try startSheet() }
        if let sheet { try finish(sheet) }
        sheet = nil
    }

    private func finish(_ sheet: XLSXSheet) throws {
        let width = try sheet.fitColumns(count: columns.count)
        try sheet.autofilter(lastRow: max(row, 1), lastColumn: columns.count - 1)
        let title = footerTitle.isEmpty ? "" : "&L" + footerTitle.replacingOccurrences(of: "&", with: "&&")
        try sheet.printSetup(landscape: true, fitToWidth: false, repeatHeader: true, footer: title + "&R" + localizer.string("xlsx.footer_page"))
        sheet.fitToPages(width: width)
        // Every printed page shows when and what: the time and event columns.
        try sheet.repeatColumns(0, min(1, columns.count - 1))
    }
}

extension XLSXEventSheetWriter {
    /// The events sheet of a run: the standard columns, then the inputs' own; a text cut at
    /// Excel's limit is warned about once, at the first input line that has it.
    static func forRun(workbook: XLSXWorkbook, localizer: Localizer, pipeline: EventPipeline, sources: [String], rowsPerSheet: Int, maxRows: Int? = nil) -> XLSXEventSheetWriter {
        var cutTexts = Set<Int>()
        let inputs = pipeline.options.inputs
        let diagnostics = pipeline.diagnostics
        // A sheet has 16,384 columns: the inputs' own columns past that are in the CSV only.
        let room = XLSXEventSheetWriter.excelColumnLimit - EventColumn.allCases.count
        if pipeline.extraColumns.count > room {
            try? diagnostics.emit(
                Diagnostic(file: "", line: 0, "the inputs have \(pipeline.extraColumns.count) columns of their own; the workbook holds the first \(room) (Excel's limit is 16,384 columns), the events CSV all"))
        }
        return XLSXEventSheetWriter(
            workbook: workbook, localizer: localizer, columns: EventColumn.allCases.map { .standard($0) } + pipeline.extraColumns.prefix(room).map { .extra($0) },
            sources: sources, rowsPerSheet: rowsPerSheet, maxRows: maxRows
        ) { source, column, text in
            // Once per text: the same long title on a thousand events is one problem.
            guard cutTexts.insert(text.hashValue).inserted else { return }
            try diagnostics.emit(Diagnostic(file: inputs[source.input], line: source.line, "'\(column)' is longer than Excel's 32,767 characters; cut in the workbook (here and wherever the same text recurs)"))
        }
    }
}
