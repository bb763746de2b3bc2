/// Reads Notion SIEM events from JSON in every shape users have: JSON lines, a JSON array, one
/// object, concatenated objects, Datadog pages (`data[]`) and Sumo Logic results (`messages[]`),
/// with the records themselves wrapped as `SIEMRecordUnwrapper` knows. Streams: a top-level
/// array or container array is walked one element at a time.
struct SIEMJSONReader {
    let reader: ByteReader
    let context: ReadContext
    private let normalizer: SIEMEventNormalizer
    private let parser: JSONParser

    /// Members of a top-level object whose array holds the records.
    static let containers: Set<String> = ["data", "messages", "results", "events"]

    init(reader: ByteReader, context: ReadContext) {
        self.reader = reader
        self.context = context
        normalizer = SIEMEventNormalizer(store: context.store)
        parser = JSONParser(reader: reader)
    }

    /// - Throws: `ReadError` for input that cannot be read on; `StrictModeError`.
    func read(into summary: inout ReadSummary, _ sink: (AuditEvent) throws -> Void) throws {
        // Once a top-level value spans lines the file is one document, where a syntax error
        // cannot be stepped over; in JSON lines a broken line is one lost record.
        var oneDocument = false
        while true {
            do {
                guard let first = try parser.peekToken() else { break }
                let startLine = reader.line
                var isRecord = false
                if first == 0x5B {
                    note("json-array", &summary)
                    try streamArray(summary: &summary, sink)
                } else if first == 0x7B {
                    isRecord = try !readTopObject(summary: &summary, sink)
                } else {
                    throw parser.error("unexpected \(JSONParser.describe(first)); expected '{' or '['")
                }
                if reader.line != startLine {
                    oneDocument = true
                } else if isRecord {
                    note("json-lines", &summary)
                }
            } catch let error as ReadError {
                guard case .invalidJSON(_, let line, let message) = error, !oneDocument else { throw error }
                summary.skipped += 1
                try context.diagnostics.emit(Diagnostic(file: reader.path, line: line, "invalid JSON: \(message); line skipped"))
                try skipToNextLine(after: line)
            }
        }
    }

    private func skipToNextLine(after line: Int) throws {
        while reader.line <= line, try reader.peek() != nil { reader.advance() }
    }

    private func streamArray(summary: inout ReadSummary, _ sink: (AuditEvent) throws -> Void) throws {
        try parser.expect(0x5B, "'['")
        if try parser.peekToken() == 0x5D {
            reader.position += 1
            return
        }
        while true {
            let line = reader.line
            let value = try parser.parseValue(depth: 1)
            try handle(value, line: line, summary: &summary, sink)
            guard let next = try parser.peekToken() else { throw parser.error("unexpected end of input inside an array") }
            reader.position += 1
            if next == 0x5D { return }
            if next != 0x2C { throw parser.error("expected ',' or ']' in an array, found \(JSONParser.describe(next))") }
        }
    }

    /// Walks a top-level object member by member, streaming a container array; an object with
    /// no container is itself a record.
    /// - Returns: whether a container array was streamed.
    @discardableResult
    private func readTopObject(summary: inout ReadSummary, _ sink: (AuditEvent) throws -> Void) throws -> Bool {
        let line = reader.line
        try parser.expect(0x7B, "'{'")
        var members: [JSONObject.Member] = []
        var streamed = false
        if try parser.peekToken() == 0x7D {
            reader.position += 1
        } else {
            while true {
                let key = try parser.parseKey()
                if Self.containers.contains(key), try parser.peekToken() == 0x5B, !members.contains(where: { $0.key == "type" }) {
                    note(key == "messages" ? "sumo-logic" : key == "data" ? "datadog" : "json-\(key)", &summary)
                    try streamArray(summary: &summary, sink)
                    streamed = true
                } else {
                    members.append(JSONObject.Member(key: key, value: try parser.parseValue(depth: 1)))
                }
                guard let next = try parser.peekToken() else { throw parser.error("unexpected end of input inside an object") }
                reader.position += 1
                if next == 0x7D { break }
                if next != 0x2C { throw parser.error("expected ',' or '}' in an object, found \(JSONParser.describe(next))") }
            }
        }
        if !streamed {
            try handle(.object(JSONObject(members)), line: line, summary: &summary, sink)
        }
        return streamed
    }

    private func handle(_ value: JSONValue, line: Int, summary: inout ReadSummary, _ sink: (AuditEvent) throws -> Void) throws {
        let path = reader.path
        if parser.repairedInvalidUTF8 {
            parser.repairedInvalidUTF8 = false
            try context.diagnostics.emit(Diagnostic(file: path, line: line, "invalid UTF-8 in a string, replaced with U+FFFD"))
        }
        guard let record = value.objectValue else {
            summary.skipped += 1
            try context.diagnostics.emit(Diagnostic(file: path, line: line, "record is not a JSON object; skipped"))
            return
        }
        switch SIEMRecordUnwrapper.unwrap(record, path: path, line: line) {
        case .preview:
            summary.previewRows += 1
        case .problem(let message):
            summary.skipped += 1
            try context.diagnostics.emit(Diagnostic(file: path, line: line, message + "; skipped"))
        case .event(let event, let fallbackTime, let shape):
            note(shape, &summary)
            switch normalizer.normalize(event, fallbackTime: fallbackTime, source: SourceLocation(input: context.inputIndex, line: line)) {
            case .success(let normalized):
                summary.events += 1
                try sink(normalized)
            case .failure(let problem):
                summary.skipped += 1
                try context.diagnostics.emit(Diagnostic(file: path, line: line, problem.message + "; skipped"))
            }
        }
    }

    private func note(_ shape: String, _ summary: inout ReadSummary) {
        if !summary.shapes.contains(shape) { summary.shapes.append(shape) }
    }
}
