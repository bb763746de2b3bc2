/// How a CSV output is spelled.
public enum CSVDialect: String, CaseIterable, Sendable {
    /// RFC 4180: comma, CRLF, no byte-order mark.
    case rfc4180
    /// What German Excel opens by double-click: semicolon, CRLF, UTF-8 byte-order mark.
    case excelDE = "excel-de"

    var delimiter: UInt8 { self == .excelDE ? 0x3B : 0x2C }
    var writesBOM: Bool { self == .excelDE }
}
