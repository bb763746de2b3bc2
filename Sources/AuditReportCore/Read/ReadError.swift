/// A problem that stops reading an input: printed compiler-style as `path:line: error: …`.
public enum ReadError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case isDirectory(path: String)
    case emptyFile(path: String)
    case ioError(path: String, reason: String)
    case corruptGzip(path: String, reason: String)
    case truncatedGzip(path: String)
    case binaryData(path: String, line: Int)
    case unrecognizedFormat(path: String, line: Int, found: String)
    case unterminatedQuote(path: String, line: Int)
    case missingColumns(path: String, line: Int, missing: [String], header: [String])
    case invalidJSON(path: String, line: Int, message: String)
    case recordTooLarge(path: String, line: Int, limit: Int)
    case tooManyColumns(path: String, line: Int, limit: Int)
    case unexpectedTickets(path: String)

    public var path: String {
        switch self {
        case .cannotOpen(let p, _), .isDirectory(let p), .emptyFile(let p), .ioError(let p, _),
            .corruptGzip(let p, _), .truncatedGzip(let p), .binaryData(let p, _),
            .unrecognizedFormat(let p, _, _), .unterminatedQuote(let p, _), .missingColumns(let p, _, _, _),
            .invalidJSON(let p, _, _), .recordTooLarge(let p, _, _), .tooManyColumns(let p, _, _), .unexpectedTickets(let p):
            return p
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let p, let reason):
            return "\(p): error: cannot open: \(reason)"
        case .isDirectory(let p):
            return "\(p): error: is a directory, not an audit export; name the files inside it"
        case .emptyFile(let p):
            return "\(p): error: file is empty; export the audit log again"
        case .ioError(let p, let reason):
            return "\(p): error: read failed: \(reason)"
        case .corruptGzip(let p, let reason):
            return "\(p): error: gzip data is corrupt (\(reason))"
        case .truncatedGzip(let p):
            return "\(p): error: gzip file is truncated; the download may be incomplete"
        case .binaryData(let p, let line):
            return "\(p):\(line): error: binary data (NUL bytes); this is not a CSV or JSON audit export"
        case .unrecognizedFormat(let p, let line, let found):
            return "\(p):\(line): error: not a Notion audit CSV export or SIEM JSON (starts with \(found))"
        case .unterminatedQuote(let p, let line):
            return "\(p):\(line): error: unterminated quoted field (the quote opened on this line is never closed)"
        case .missingColumns(let p, let line, let missing, let header):
            let shown = header.prefix(12).map { "'\($0)'" }.joined(separator: ", ")
            return "\(p):\(line): error: missing required column \(missing.map { "'\($0)'" }.joined(separator: " and ")); the header has \(shown)\(header.count > 12 ? ", …" : "")"
        case .invalidJSON(let p, let line, let message):
            return "\(p):\(line): error: invalid JSON: \(message)"
        case .recordTooLarge(let p, let line, let limit):
            return "\(p):\(line): error: record longer than \(limit / 1_048_576) MiB; the file is not a line-oriented audit export"
        case .unexpectedTickets(let p):
            return "\(p):1: error: this is an access-request ticket export (Title, Status, Reporter, Priority, …); give it to 'report', which adds an access-requests section"
        case .tooManyColumns(let p, let line, let limit):
            return "\(p):\(line): error: more than \(limit) columns; this is not a Notion audit export"
        }
    }
}
