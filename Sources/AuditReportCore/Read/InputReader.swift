/// Opens one input, tells its kind from its content (not its name), and streams its events.
public enum InputReader {
    /// Reads every event of the file at `path` into `sink`, one at a time.
    /// - Returns: what was read.
    /// - Throws: `ReadError` for input that cannot be read; `StrictModeError`; errors of `sink`.
    public static func read(path: String, context: ReadContext, _ events: (consuming AuditEvent) throws -> Void) throws -> ReadSummary {
        let stream = try ByteStream(path: path, encoding: context.inputEncoding, hashing: context.hashesInput)
        if stream.encodingDetected {
            let what = stream.encoding == .utf16 ? "UTF-16 (it starts with a UTF-16 byte-order mark)" : "Windows-1252 (it is not UTF-8; German Excel saves CSV so)"
            try context.diagnostics.emit(Diagnostic(.note, file: path, line: 0, "read as \(what); --input-encoding sets the encoding"))
        }
        var count = 0
        let sink: (consuming AuditEvent) throws -> Void = { event in
            count += 1
            if count & 0x3FFF == 0 { context.onProgress?(stream.fileBytesRead) }
            try events(event)
        }
        let reader = try ByteReader(stream: stream)
        let head = reader.lookahead()
        guard !head.isEmpty else { throw ReadError.emptyFile(path: path) }
        if head.contains(0) { throw ReadError.binaryData(path: path, line: 1 + head.prefix { $0 != 0 }.filter { $0 == 0x0A }.count) }
        let firstByte = head.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        guard let firstByte else { throw ReadError.emptyFile(path: path) }
        var summary: ReadSummary
        if firstByte == 0x7B || firstByte == 0x5B {
            summary = ReadSummary(path: path, kind: .siemJSON)
            try SIEMJSONReader(reader: reader, context: context).read(into: &summary, sink)
        } else if looksLikeText(head) {
            let tokenizer = CSVTokenizer(reader: ByteReader(bytes: head.prefix { $0 != 0x0A && $0 != 0x0D }, path: path), delimiter: CSVTokenizer.detectDelimiter(head))
            var header = CSVRecord()
            _ = try? tokenizer.next(into: &header)
            if TicketCSVReader.isTicketHeader((0..<header.count).map { header.repairedString($0) }) {
                guard let onTicket = context.onTicket else { throw ReadError.unexpectedTickets(path: path) }
                summary = ReadSummary(path: path, kind: .ticketsCSV)
                try TicketCSVReader(tokenizer: CSVTokenizer(reader: reader, delimiter: tokenizer.delimiter), context: context).read(into: &summary, onTicket)
            } else {
                summary = ReadSummary(path: path, kind: .auditCSV)
                try AuditCSVReader(reader: reader, context: context).read(into: &summary, sink)
            }
        } else {
            let shown = head.prefix(8).map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw ReadError.unrecognizedFormat(path: path, line: 1, found: "bytes \(shown)")
        }
        if stream.gzipPadding > 0 {
            try context.diagnostics.emit(Diagnostic(.note, file: path, line: 0, "\(stream.gzipPadding) zero bytes after the compressed data passed over"))
        }
        summary.bytes = stream.fileSize
        summary.sha256 = stream.digest()
        context.onProgress?(stream.fileBytesRead)
        return summary
    }

    /// Whether the file is JSON lines that `readBackward` can read from the end: a plain UTF-8
    /// file (not compressed, no byte-order mark) that `read` would read as JSON lines.
    public static func readsBackward(path: String, encoding: TextEncoding?) -> Bool {
        guard encoding == nil || encoding == .utf8,
            let stream = try? ByteStream(path: path, encoding: encoding), !stream.isGzip, stream.encoding == .utf8, stream.fileSize > 0,
            let reader = try? ByteReader(stream: stream, skipBOM: false)
        else { return false }
        let head = reader.lookahead()
        guard !(head.count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF), !head.contains(0) else { return false }
        return SIEMJSONReader.isJSONLines(head)
    }

    /// Reads JSON lines (`readsBackward`) from the last line to the first: what `read` gives,
    /// in the opposite order.
    /// - Parameter stop: asked every block read (a reader whose run went another way throws).
    /// - Throws: `BackwardLines.Unfit` when the file holds what `read` stops at (read it
    ///   forward to be told so); `ReadError`; `StrictModeError`; errors of `events`.
    public static func readBackward(path: String, context: ReadContext, stop: () throws -> Void = {}, _ events: (consuming AuditEvent) throws -> Void) throws -> ReadSummary {
        let file = try BackwardLines(path: path, maxLine: SIEMJSONReader.maxLineBytes, stop: stop)
        var summary = ReadSummary(path: path, kind: .siemJSON)
        let stream = try ByteStream(path: path)
        try SIEMJSONReader(reader: try ByteReader(stream: stream), context: context).readLinesBackward(file, into: &summary, stop: stop, events)
        summary.bytes = file.size
        summary.sha256 = file.sha256
        context.onProgress?(file.size)
        return summary
    }

    /// Whether the first line is text a CSV header could be: no control bytes but tab, CR, LF.
    static func looksLikeText(_ head: [UInt8]) -> Bool {
        let line = head.prefix { $0 != 0x0A }.prefix(4096)
        return !line.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0D }
    }
}
