import CXlsxWriter
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A problem writing a workbook, with libxlsxwriter's own words.
public enum RenderError: Error, Equatable, Sendable, CustomStringConvertible {
    case xlsx(path: String, call: String, code: Int, message: String)
    case invalidSheetName(path: String, name: String)

    public var description: String {
        switch self {
        case .xlsx(let path, let call, let code, let message):
            return "\(path): error: writing the workbook failed in \(call): \(message) (libxlsxwriter error \(code))"
        case .invalidSheetName(let path, let name):
            return "\(path): error: cannot add a worksheet named '\(name)'"
        }
    }
}

/// The one place that calls libxlsxwriter: every return code is checked and turned into a
/// `RenderError`; formats are created once and reused.
///
/// Not thread-safe: one workbook belongs to one thread.
public final class XLSXWorkbook {
    public let path: String
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private var tmpdir: [CChar]
    /// Where libxlsxwriter's temporary files go (`tmpdir`, as it passes it to `lxw_tmpfile`).
    let temporaryFilesDirectory: String
    /// The private folder libxlsxwriter's temporary files go to (removed on close and on an
    /// interruption: libxlsxwriter creates each file before it unlinks it, so a signal between
    /// the two would otherwise leave one behind).
    private let privateDirectory: String?
    static let directoryPrefix = "audit-report-xlsx-"
    private var sheetNames: [String] = []
    private var formats: [XLSXFormat: UnsafeMutablePointer<lxw_format>] = [:]
    private var keepAlive: [[CChar]] = []

    /// Opens a workbook that streams every sheet row by row (libxlsxwriter's constant-memory mode).
    /// - Parameters:
    ///   - created: the document's creation time; fixed so that the same input gives the same bytes.
    ///   - temporaryDirectory: where libxlsxwriter keeps its per-sheet temporary files.
    /// - Parameter displayPath: the path messages name, when it is not `path`.
    public init(path: String, displayPath: String? = nil, created: Timestamp, temporaryDirectory: String) throws {
        self.path = displayPath ?? path
        // Numbers are printed with the C library; a German LC_NUMERIC would write "1234,5".
        setlocale(LC_NUMERIC, "C")
        TemporaryFiles.removeStale(in: temporaryDirectory, prefix: Self.directoryPrefix)
        privateDirectory = TemporaryFiles.makeDirectory(in: temporaryDirectory, prefix: Self.directoryPrefix)
        temporaryFilesDirectory = privateDirectory ?? temporaryDirectory
        tmpdir = Array(temporaryFilesDirectory.utf8CString)
        var options = lxw_workbook_options()
        audit_report_set_constant_memory(&options, 1)
        workbook = tmpdir.withUnsafeMutableBufferPointer { buffer in
            audit_report_set_tmpdir(&options, buffer.baseAddress)
            return workbook_new_opt(path, &options)
        }
        guard workbook != nil else {
            if let privateDirectory { TemporaryFiles.removeDirectory(privateDirectory) }
            throw RenderError.xlsx(path: path, call: "workbook_new_opt", code: Int(LXW_ERROR_CREATING_XLSX_FILE.rawValue), message: "cannot create the file")
        }
        try setCreated(created)
    }

    /// Sets the document's creation time (also used for the dates inside the zip file).
    public func setCreated(_ created: Timestamp) throws {
        var properties = lxw_doc_properties()
        properties.created = time_t(created.seconds)
        try check(workbook_set_properties(workbook, &properties), "workbook_set_properties")
    }

    deinit {
        // A workbook that was never closed still owns memory and temporary files.
        if let workbook { lxw_workbook_free(workbook) }
        if let privateDirectory { TemporaryFiles.removeDirectory(privateDirectory) }
        _ = WorkbookTemporaryFile.failures.take(directory: temporaryFilesDirectory)
    }

    func check(_ error: lxw_error, _ call: String) throws {
        guard error == LXW_NO_ERROR else {
            throw RenderError.xlsx(path: path, call: call, code: Int(error.rawValue), message: String(cString: lxw_strerror(error)))
        }
    }

    /// Adds a worksheet; `name` must already be valid (see `XLSXText.sheetName`).
    public func addSheet(_ name: String) throws -> XLSXSheet {
        guard let workbook, let sheet = workbook_add_worksheet(workbook, name) else {
            throw RenderError.invalidSheetName(path: path, name: name)
        }
        sheetNames.append(name)
        return XLSXSheet(workbook: self, sheet: sheet, name: name)
    }

    /// Names of the sheets added so far.
    public var names: [String] { sheetNames }

    /// The libxlsxwriter format for `spec`, created on first use.
    func format(_ spec: XLSXFormat?) -> UnsafeMutablePointer<lxw_format>? {
        guard let spec, let workbook else { return nil }
        if let existing = formats[spec] { return existing }
        guard let f = workbook_add_format(workbook) else { return nil }
        if spec.bold { format_set_bold(f) }
        if let numberFormat = spec.numberFormat { format_set_num_format(f, numberFormat) }
        if let fill = spec.fill {
            format_set_bg_color(f, fill)
            format_set_pattern(f, UInt8(LXW_PATTERN_SOLID.rawValue))
        }
        if let color = spec.fontColor { format_set_font_color(f, color) }
        if spec.wrap { format_set_text_wrap(f) }
        if spec.fontSize > 0 { format_set_font_size(f, spec.fontSize) }
        if spec.borderBottom { format_set_bottom(f, UInt8(LXW_BORDER_THIN.rawValue)) }
        format_set_align(f, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        formats[spec] = f
        return f
    }

    /// Adds a chart; insert it into a sheet with `XLSXSheet.insert`.
    public func addChart(_ kind: XLSXChart.Kind) throws -> XLSXChart {
        guard let workbook, let chart = workbook_add_chart(workbook, kind.chartType) else {
            throw RenderError.xlsx(path: path, call: "workbook_add_chart", code: -1, message: "could not create the chart")
        }
        return XLSXChart(workbook: self, chart: chart)
    }

    /// Keeps a C string alive until the workbook is closed (charts keep pointers to names).
    func retain(_ text: String) -> UnsafePointer<CChar> {
        keepAlive.append(Array(text.utf8CString))
        return keepAlive[keepAlive.count - 1].withUnsafeBufferPointer { $0.baseAddress! }
    }

    /// Writes the file.
    public func close() throws {
        guard let workbook else { return }
        self.workbook = nil
        let result = workbook_close(workbook)
        // The sheet files are gone now; the folder goes too, not only when the object is freed
        // (a run can end before that, and each would leave an empty folder behind).
        if let privateDirectory { TemporaryFiles.removeDirectory(privateDirectory) }
        // libxlsxwriter does not look at its temporary files' writes; their streams keep the
        // first failure (a full disk), and the workbook then is not whole. It comes first: a
        // failed read also fails libxlsxwriter's packaging, whose own message names no cause.
        if let failure = WorkbookTemporaryFile.failures.take(directory: temporaryFilesDirectory) {
            throw RenderError.xlsx(path: path, call: "workbook_close", code: Int(LXW_ERROR_CREATING_TMPFILE.rawValue), message: failure)
        }
        try check(result, "workbook_close")
    }
}

/// A cell format, as a value so equal formats are created once.
public struct XLSXFormat: Hashable, Sendable {
    public var bold = false
    public var numberFormat: String?
    public var fill: UInt32?
    public var fontColor: UInt32?
    public var wrap = false
    public var fontSize: Double = 0
    public var borderBottom = false

    public init(bold: Bool = false, numberFormat: String? = nil, fill: UInt32? = nil, fontColor: UInt32? = nil, wrap: Bool = false, fontSize: Double = 0, borderBottom: Bool = false) {
        self.bold = bold
        self.numberFormat = numberFormat
        self.fill = fill
        self.fontColor = fontColor
        self.wrap = wrap
        self.fontSize = fontSize
        self.borderBottom = borderBottom
    }
}

/// One worksheet. Rows must be written in order (constant-memory mode); every write is checked.
public final class XLSXSheet {
    unowned let workbook: XLSXWorkbook
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    public let name: String
    /// Display width per column, from the longest text written (for `fitColumns`).
    private(set) var widths = [Double](repeating: 0, count: 64)

    init(workbook: XLSXWorkbook, sheet: UnsafeMutablePointer<lxw_worksheet>, name: String) {
        self.workbook = workbook
        self.sheet = sheet
        self.name = name
    }

    /// Writes text as a string cell: never a formula, never a link. `text` must be sanitized.
    public func write(_ row: Int, _ column: Int, text: String, _ format: XLSXFormat? = nil) throws {
        try write(row, column, text: text, handle: workbook.format(format))
    }

    /// The same with a format resolved once (`XLSXWorkbook.format`), for per-row writes.
    func write(_ row: Int, _ column: Int, text: String, handle: UnsafeMutablePointer<lxw_format>?) throws {
        if text.isEmpty { return }
        // Characters never exceed UTF-8 bytes, so short texts need no counting.
        let bytes = text.utf8.count
        if column >= widths.count || Double(bytes) > widths[column] { note(column, width: Double(min(text.unicodeScalars.count, 200))) }
        // withCString: a short (inline) string is copied to the stack, not to a new array.
        let status = text.withCString { worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), $0, handle) }
        if status != LXW_NO_ERROR { try workbook.check(status, "worksheet_write_string(\(name)!\(row + 1):\(column + 1))") }
    }

    public func write(_ row: Int, _ column: Int, number: Double, _ format: XLSXFormat? = nil, width: Double = 10) throws {
        try write(row, column, number: number, handle: workbook.format(format), width: width)
    }

    func write(_ row: Int, _ column: Int, number: Double, handle: UnsafeMutablePointer<lxw_format>?, width: Double = 10) throws {
        note(column, width: width)
        let status = worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), number, handle)
        if status != LXW_NO_ERROR { try workbook.check(status, "worksheet_write_number(\(name)!\(row + 1):\(column + 1))") }
    }

    private func note(_ column: Int, width: Double) {
        if column >= widths.count { widths += [Double](repeating: 0, count: column + 1 - widths.count) }
        if width > widths[column] { widths[column] = width }
    }

    public func setColumn(_ column: Int, width: Double, _ format: XLSXFormat? = nil) throws {
        try workbook.check(worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), width, workbook.format(format)), "worksheet_set_column")
    }

    /// Sets each column's width from the text written, within `minimum…maximum`, with room for
    /// the filter arrow.
    /// - Returns: the widths' sum, for deciding how the sheet prints.
    @discardableResult
    public func fitColumns(count: Int, minimum: Double = 8, maximum: Double = 60) throws -> Double {
        var total = 0.0
        for column in 0..<count {
            let width = min(maximum, max(minimum, (column < widths.count ? widths[column] : 0) * 1.1 + 3))
            try setColumn(column, width: width)
            total += width
        }
        return total
    }

    /// Prints `wide` pages wide (as many tall as it takes), for a sheet whose columns sum to
    /// `width` characters: the fewest pages wide that keep the text readable.
    public func fitToPages(width: Double) {
        worksheet_fit_to_pages(sheet, UInt16(max(1, min(20, Int((width / XLSXSheet.printableWidth).rounded(.up))))), 0)
    }

    /// Columns printed at the left of every page (a wide sheet's key columns).
    public func repeatColumns(_ first: Int, _ last: Int) throws {
        try workbook.check(worksheet_repeat_columns(sheet, lxw_col_t(first), lxw_col_t(last)), "worksheet_repeat_columns")
    }

    /// The most characters of column width that print one page wide on A4 landscape at a
    /// readable size (about 70 %); a wider sheet prints over several pages with its key
    /// columns repeated.
    public static let printableWidth = 230.0

    /// Sets a row's height in points, for wrapped text (before the row's cells: in
    /// constant-memory mode a row is written out once a later one is begun).
    public func setRow(_ row: Int, height: Double) throws {
        try workbook.check(worksheet_set_row(sheet, lxw_row_t(row), height, nil), "worksheet_set_row(\(name)!\(row + 1))")
    }

    /// Rows printed at the top of every page.
    public func repeatRows(_ first: Int, _ last: Int) throws {
        try workbook.check(worksheet_repeat_rows(sheet, lxw_row_t(first), lxw_row_t(last)), "worksheet_repeat_rows")
    }

    /// The height (points) a row needs for texts wrapped in columns of the given widths
    /// (characters): each text wrapped at spaces as a spreadsheet does (a word longer than a
    /// line is cut), 15 points a line, at most Excel's 409.
    /// - Parameter perWidth: characters a unit of column width holds. Calibri 11 holds about
    ///   1.4 of plain text, but a LibreOffice without Calibri or Carlito prints in a wider font
    ///   (about 1.2), so 1.2 keeps a wrapped text whole in either; less for bold.
    public static func wrappedHeight(_ texts: [(String, Double)], perWidth: Double = 1.2) -> Double {
        var lines = 1
        for (text, width) in texts {
            let perLine = max(1, Int(width * perWidth) - 1)
            let needed = text.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) { $0 + wrappedLines($1, perLine) }
            lines = max(lines, needed)
        }
        return min(409, Double(lines) * 15)
    }

    /// Lines `paragraph` takes wrapped at spaces in lines of `perLine` characters.
    static func wrappedLines(_ paragraph: Substring, _ perLine: Int) -> Int {
        var lines = 1
        var used = 0
        for word in paragraph.split(separator: " ") {
            var length = word.count
            if used > 0 && used + 1 + length <= perLine {
                used += 1 + length
                continue
            }
            if used > 0 { lines += 1 }
            // A word longer than a line is cut over as many as it needs.
            while length > perLine {
                lines += 1
                length -= perLine
            }
            used = length
        }
        return lines
    }

    public func freeze(rows: Int, columns: Int = 0) {
        worksheet_freeze_panes(sheet, lxw_row_t(rows), lxw_col_t(columns))
    }

    public func autofilter(lastRow: Int, lastColumn: Int) throws {
        try workbook.check(worksheet_autofilter(sheet, 0, 0, lxw_row_t(lastRow), lxw_col_t(lastColumn)), "worksheet_autofilter")
    }

    /// Prints on A4 with a page-number footer; optionally landscape, one page wide, and with the
    /// first row repeated on every page.
    public func printSetup(landscape: Bool, fitToWidth: Bool, repeatHeader: Bool, footer: String) throws {
        worksheet_set_paper(sheet, 9)
        if landscape { worksheet_set_landscape(sheet) }
        if fitToWidth { worksheet_fit_to_pages(sheet, 1, 0) }
        if repeatHeader { try workbook.check(worksheet_repeat_rows(sheet, 0, 0), "worksheet_repeat_rows") }
        try workbook.check(worksheet_set_footer(sheet, footer), "worksheet_set_footer")
    }

    /// Places a chart with its top left corner in a cell, scaled from its default 480 × 288 pixels.
    public func insert(_ chart: XLSXChart, row: Int, column: Int, scale: Double = 1) throws {
        var options = lxw_chart_options()
        options.x_scale = scale
        options.y_scale = scale
        try workbook.check(worksheet_insert_chart_opt(sheet, lxw_row_t(row), lxw_col_t(column), chart.chart, &options), "worksheet_insert_chart_opt")
    }
}

/// A chart of cells of a sheet.
public final class XLSXChart {
    public enum Kind: Sendable {
        case column
        case pie

        var chartType: UInt8 {
            switch self {
            case .column: return UInt8(LXW_CHART_COLUMN.rawValue)
            case .pie: return UInt8(LXW_CHART_PIE.rawValue)
            }
        }
    }

    unowned let workbook: XLSXWorkbook
    let chart: UnsafeMutablePointer<lxw_chart>

    init(workbook: XLSXWorkbook, chart: UnsafeMutablePointer<lxw_chart>) {
        self.workbook = workbook
        self.chart = chart
    }

    /// Adds a series of `sheet` cells: categories in one column, values in another, rows `first…last`.
    public func addSeries(sheet: String, categoryColumn: Int, valueColumn: Int, firstRow: Int, lastRow: Int, name: String, colors: [UInt32] = []) throws {
        guard let series = chart_add_series(chart, nil, nil) else {
            throw RenderError.xlsx(path: workbook.path, call: "chart_add_series", code: -1, message: "could not add the series")
        }
        let sheetName = workbook.retain(sheet)
        chart_series_set_categories(series, sheetName, lxw_row_t(firstRow), lxw_col_t(categoryColumn), lxw_row_t(lastRow), lxw_col_t(categoryColumn))
        chart_series_set_values(series, sheetName, lxw_row_t(firstRow), lxw_col_t(valueColumn), lxw_row_t(lastRow), lxw_col_t(valueColumn))
        chart_series_set_name(series, workbook.retain(name))
        if !colors.isEmpty {
            var fills = colors.map { color -> lxw_chart_fill in
                var fill = lxw_chart_fill()
                fill.color = color
                return fill
            }
            var points = fills.indices.map { _ in lxw_chart_point() }
            try fills.withUnsafeMutableBufferPointer { fillBuffer in
                for i in points.indices { points[i].fill = fillBuffer.baseAddress! + i }
                try points.withUnsafeMutableBufferPointer { pointBuffer in
                    var pointers: [UnsafeMutablePointer<lxw_chart_point>?] = pointBuffer.indices.map { pointBuffer.baseAddress! + $0 }
                    pointers.append(nil)
                    try workbook.check(chart_series_set_points(series, &pointers), "chart_series_set_points")
                }
            }
        }
    }

    public func title(_ text: String) {
        chart_title_set_name(chart, workbook.retain(text))
    }

    /// The number format of the category axis (e.g. `d` to show dates as the day of the month).
    public func categoryAxisFormat(_ format: String) {
        chart_axis_set_num_format(chart.pointee.x_axis, workbook.retain(format))
    }

    public func hideLegend() {
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
    }
}
