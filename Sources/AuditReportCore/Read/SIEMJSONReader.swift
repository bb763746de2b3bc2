import Foundation

/// Reads Notion SIEM events from JSON in every shape users have: JSON lines, a JSON array, one
/// object, concatenated objects, Datadog pages (`data[]`) and Sumo Logic results (`messages[]`),
/// with the records themselves wrapped as `SIEMRecordUnwrapper` knows. Streams: a top-level
/// array or container array is walked one element at a time.
struct SIEMJSONReader {
    let reader: ByteReader
    let context: ReadContext
    private let normalizer: SIEMEventNormalizer
    private let parser: JSONParser
    /// JSON lines of the usual shape, decoded without a JSON tree.
    private let lineDecoder: SIEMLineDecoder

    /// Members of a top-level object whose array holds the records.
    static let containers: Set<String> = ["data", "messages", "results", "events"]

    init(reader: ByteReader, context: ReadContext) {
        self.reader = reader
        self.context = context
        normalizer = SIEMEventNormalizer(store: context.store)
        lineDecoder = SIEMLineDecoder(store: context.store)
        parser = JSONParser(reader: reader)
    }

    /// - Throws: `ReadError` for input that cannot be read on; `StrictModeError`.
    func read(into summary: inout ReadSummary, _ sink: (consuming AuditEvent) throws -> Void) throws {
        if Self.isJSONLines(reader.lookahead()) {
            try readLines(into: &summary, sink)
            return
        }
        // One document (or several, concatenated): streamed; a syntax error cannot be stepped over.
        while let first = try parser.peekToken() {
            if first == 0x5B {
                note("json-array", &summary)
                try streamArray(summary: &summary, sink)
            } else if first == 0x7B {
                try readTopObject(summary: &summary, sink)
            } else {
                throw parser.error("unexpected \(JSONParser.describe(first)); expected '{' or '['")
            }
        }
    }

    /// JSON lines: the first line is one complete object, and no later line (of those read
    /// ahead) continues a document: indented, or starting with a closing bracket or a member
    /// name, as `jq .` prints objects after a first small one. (A broken record of JSON lines
    /// starts with `{` and stays a line to skip.)
    static func isJSONLines(_ head: [UInt8]) -> Bool {
        guard let start = head.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }), head[start] == 0x7B,
            let newline = head[start...].firstIndex(of: 0x0A)
        else { return false }
        guard parsesAsOneValue(head[start..<newline]) else { return false }
        var lineStart = newline + 1
        while let end = head[lineStart...].firstIndex(of: 0x0A) {
            let line = head[lineStart..<end]
            lineStart = end + 1
            guard let first = line.first, first != 0x0D else { continue }
            if first == 0x20 || first == 0x09 || first == 0x7D || first == 0x5D || first == 0x22 || first == 0x2C {
                if !parsesAsOneValue(line) { return false }
            }
        }
        return true
    }

    private static func parsesAsOneValue(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parser = JSONParser(reader: ByteReader(bytes: bytes, path: ""))
        return (try? parser.parseValue()) != nil && (try? parser.peekToken()) == nil
    }

    /// Parses each line on its own, so a broken line costs that line only.
    private func readLines(into summary: inout ReadSummary, _ sink: (consuming AuditEvent) throws -> Void) throws {
        var line: [UInt8] = []
        let limit = Self.maxLineBytes
        while try reader.ensure() {
            let lineNumber = reader.line
            line.removeAll(keepingCapacity: true)
            while try reader.ensure() {
                let base = reader.buffer
                // memchr finds the line end many bytes at a time (a byte loop was 2% of a run).
                let i = memchr(base + reader.position, 0x0A, reader.end - reader.position)
                    .map { reader.position + (UnsafeRawPointer($0) - UnsafeRawPointer(base + reader.position)) } ?? reader.end
                line.append(contentsOf: UnsafeBufferPointer(start: base + reader.position, count: i - reader.position))
                if line.count > limit { throw ReadError.recordTooLarge(path: reader.path, line: lineNumber, limit: limit) }
                reader.position = i
                if i < reader.end {
                    reader.advance()
                    break
                }
            }
            try line.withUnsafeBufferPointer { try readLine($0, number: lineNumber, into: &summary, sink) }
        }
    }

    /// Longest JSON line read, in bytes; a longer one is an error, not an endless read.
    static let maxLineBytes = 64 << 20

    /// JSON lines read from the end of the file (`BackwardLines`): a stream delivered oldest
    /// first is read newest first. The same as `readLines` but for the order: what each line
    /// gives is the same, and the shapes are listed in the order the lines have in the file.
    func readLinesBackward(_ file: BackwardLines, into summary: inout ReadSummary, stop: () throws -> Void, _ sink: (consuming AuditEvent) throws -> Void) throws {
        var lineSummary = ReadSummary(path: summary.path, kind: summary.kind)
        // Each shape's first line in the file, and its place among that line's shapes.
        var firstSeen: [String: (line: Int, place: Int)] = [:]
        // Lines come last first, and runs of them have the same shapes: a run's shapes are noted
        // once, at its first line (the last read), not hashed again for every line.
        var runShapes: [String] = []
        var runFirst = 0
        func noteRun() {
            for (place, shape) in runShapes.enumerated() { firstSeen[shape] = (runFirst, place) }
        }
        try file.read(stop: stop, progress: { context.onProgress?($0) }) { line, number in
            lineSummary.shapes.removeAll(keepingCapacity: true)
            try readLine(line, number: number, into: &lineSummary, sink)
            if lineSummary.shapes != runShapes {
                noteRun()
                runShapes = lineSummary.shapes
            }
            runFirst = number
        }
        noteRun()
        summary.events += lineSummary.events
        summary.skipped += lineSummary.skipped
        summary.previewRows += lineSummary.previewRows
        let shapes = firstSeen.sorted { $0.value.line != $1.value.line ? $0.value.line < $1.value.line : $0.value.place < $1.value.place }
        for (shape, _) in shapes { note(shape, &summary) }
    }

    /// One JSON line (without its line end).
    private func readLine(_ line: UnsafeBufferPointer<UInt8>, number lineNumber: Int, into summary: inout ReadSummary, _ sink: (consuming AuditEvent) throws -> Void) throws {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        if let base = line.baseAddress, memchr(base, 0, line.count) != nil { throw ReadError.binaryData(path: reader.path, line: lineNumber) }
        // The usual shape goes straight to an event; anything else the general way below.
        if let event = lineDecoder.decode(line, source: SourceLocation(input: context.inputIndex, line: lineNumber)) {
            note("json-lines", &summary)
            note("notion", &summary)
            summary.events += 1
            try sink(event)
            return
        }
        let lineParser = JSONParser(reader: ByteReader(bytes: line, path: reader.path, line: lineNumber))
        let value: JSONValue
        do {
            value = try lineParser.parseValue()
            try lineParser.expectEnd()
        } catch let ReadError.invalidJSON(_, _, message) {
            summary.skipped += 1
            try context.diagnostics.emit(Diagnostic(file: reader.path, line: lineNumber, "invalid JSON: \(message); line skipped"))
            return
        }
        if lineParser.repairedInvalidUTF8 {
            try context.diagnostics.emit(Diagnostic(file: reader.path, line: lineNumber, "invalid UTF-8 or a lone surrogate escape in a string, replaced with U+FFFD"))
        }
        note("json-lines", &summary)
        if let object = value.objectValue, object["type"] == nil,
            let container = Self.containers.first(where: { if case .array? = object[$0] { return true } else { return false } }),
            case .array(let items)? = object[container]
        {
            note(Self.shapeName(container), &summary)
            for item in items { try handle(item, line: lineNumber, summary: &summary, sink) }
        } else {
            try handle(value, line: lineNumber, summary: &summary, sink)
        }
    }

    static func shapeName(_ container: String) -> String {
        container == "messages" ? "sumo-logic" : container == "data" ? "datadog" : "json-\(container)"
    }

    private func streamArray(summary: inout ReadSummary, _ sink: (consuming AuditEvent) throws -> Void) throws {
        try parser.expect(0x5B, "'['")
        if try parser.peekToken() == 0x5D {
            reader.position += 1
            return
        }
        repeat {
            try parser.skipWhitespace()
            let line = reader.line
            let value = try parser.parseValue(depth: 1)
            try handle(value, line: line, summary: &summary, sink)
        } while try !parser.closes(0x5D)
    }

    /// Walks a top-level object member by member, streaming a container array; an object with
    /// no container is itself a record.
    /// - Returns: whether a container array was streamed.
    @discardableResult
    private func readTopObject(summary: inout ReadSummary, _ sink: (consuming AuditEvent) throws -> Void) throws -> Bool {
        let line = reader.line
        try parser.expect(0x7B, "'{'")
        var members: [JSONObject.Member] = []
        var streamed = false
        if try parser.peekToken() == 0x7D {
            reader.position += 1
        } else {
            repeat {
                let key = try parser.parseKey()
                if Self.containers.contains(key), try parser.peekToken() == 0x5B, !members.contains(where: { $0.key == "type" }) {
                    note(Self.shapeName(key), &summary)
                    try streamArray(summary: &summary, sink)
                    streamed = true
                } else {
                    members.append(JSONObject.Member(key: key, value: try parser.parseValue(depth: 1)))
                }
            } while try !parser.closes(0x7D)
        }
        if !streamed {
            try handle(.object(JSONObject(members)), line: line, summary: &summary, sink)
        }
        return streamed
    }

    private func handle(_ value: JSONValue, line: Int, summary: inout ReadSummary, _ sink: (consuming AuditEvent) throws -> Void) throws {
        let path = reader.path
        if parser.repairedInvalidUTF8 {
            parser.repairedInvalidUTF8 = false
            try context.diagnostics.emit(Diagnostic(file: path, line: line, "invalid UTF-8 or a lone surrogate escape in a string, replaced with U+FFFD"))
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
