/// A streaming JSON parser over a `ByteReader`: it parses one value at a time, so a reader can
/// walk a huge top-level array or object member by member without holding the document.
public final class JSONParser {
    public let reader: ByteReader
    /// Deepest nesting accepted; deeper input is an error, not a stack overflow.
    public let maxDepth: Int
    /// Longest string accepted, in bytes.
    public let maxStringBytes: Int
    /// Set when a string held invalid UTF-8 (repaired with U+FFFD); the caller warns and clears it.
    public var repairedInvalidUTF8 = false
    private var scratch: [UInt8] = []

    public init(reader: ByteReader, maxDepth: Int = 128, maxStringBytes: Int = 64 << 20) {
        self.reader = reader
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }

    /// Parses a JSON document held in memory (e.g. a SIEM's `_raw` field).
    /// - Throws: `ReadError.invalidJSON` with `path` and `line`, also for trailing text.
    public static func parse(_ text: String, path: String, line: Int) throws -> JSONValue {
        let parser = JSONParser(reader: ByteReader(bytes: Array(text.utf8), path: path, line: line))
        let value = try parser.parseValue()
        try parser.expectEnd()
        return value
    }

    /// Skips spaces, tabs and line ends.
    public func skipWhitespace() throws {
        while let b = try reader.peek() {
            switch b {
            case 0x20, 0x09, 0x0D: reader.position += 1
            case 0x0A:
                reader.position += 1
                reader.line += 1
            default: return
            }
        }
    }

    /// The next non-blank byte without consuming it; nil at the end.
    public func peekToken() throws -> UInt8? {
        try skipWhitespace()
        return try reader.peek()
    }

    /// Consumes `byte` (after white space) or throws.
    public func expect(_ byte: UInt8, _ what: String) throws {
        guard try peekToken() == byte else {
            throw error("expected \(what), found \(JSONParser.describe(try reader.peek()))")
        }
        reader.position += 1
    }

    /// Parses one complete value.
    public func parseValue(depth: Int = 0) throws -> JSONValue {
        guard let b = try peekToken() else { throw error("unexpected end of input, expected a value") }
        switch b {
        case 0x7B: return .object(try parseObject(depth: depth + 1))
        case 0x5B:
            if depth + 1 > maxDepth { throw error("nested deeper than \(maxDepth) levels") }
            reader.position += 1
            var items: [JSONValue] = []
            if try peekToken() == 0x5D {
                reader.position += 1
                return .array(items)
            }
            repeat {
                items.append(try parseValue(depth: depth + 1))
            } while try !closes(0x5D)
            return .array(items)
        case 0x22: return .string(try parseString())
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        case 0x2D, 0x30...0x39: return .number(try parseNumber())
        default: throw error("unexpected \(JSONParser.describe(b)), expected a value")
        }
    }

    /// Parses an object; `depth` counts this object.
    public func parseObject(depth: Int) throws -> JSONObject {
        if depth > maxDepth { throw error("nested deeper than \(maxDepth) levels") }
        try expect(0x7B, "'{'")
        var members: [JSONObject.Member] = []
        var positions: [String: Int]?
        if try peekToken() == 0x7D {
            reader.position += 1
            return JSONObject(members)
        }
        while true {
            let key = try parseKey()
            let value = try parseValue(depth: depth)
            // A key given twice: the last one wins, wherever the object is read (as most parsers
            // do). Large objects are checked through a set, so they stay linear.
            if members.count > 16 && positions == nil {
                var index: [String: Int] = [:]
                for (i, m) in members.enumerated() { index[m.key] = i }
                positions = index
            }
            if let earlier = positions != nil ? positions![key] : members.firstIndex(where: { $0.key == key }) {
                members[earlier].value = value
            } else {
                positions?[key] = members.count
                members.append(JSONObject.Member(key: key, value: value))
            }
            if try closes(0x7D) { return JSONObject(members) }
        }
    }

    /// After an item of an array (`close` is `]`) or a member of an object (`}`): consumes the
    /// comma or the closing bracket.
    /// - Returns: whether it was the closing bracket.
    public func closes(_ close: UInt8) throws -> Bool {
        let what = close == 0x5D ? "an array" : "an object"
        guard let next = try peekToken() else { throw error("unexpected end of input inside \(what)") }
        reader.position += 1
        if next == close { return true }
        if next != 0x2C { throw error("expected ',' or '\(close == 0x5D ? "]" : "}")' in \(what), found \(JSONParser.describe(next))") }
        return false
    }

    /// Throws unless only white space follows the value read.
    public func expectEnd() throws {
        try skipWhitespace()
        if let b = try reader.peek() { throw error("unexpected \(JSONParser.describe(b)) after the JSON value") }
    }

    /// Parses `"key" :` inside an object.
    public func parseKey() throws -> String {
        guard try peekToken() == 0x22 else {
            throw error("expected a quoted member name, found \(JSONParser.describe(try reader.peek()))")
        }
        let key = try parseString()
        try expect(0x3A, "':' after a member name")
        return key
    }

    /// Parses a string at the cursor (which is on the opening quote).
    public func parseString() throws -> String {
        let startLine = reader.line
        reader.position += 1
        // Most strings end in the buffer without escapes: made straight from the buffer.
        do {
            let base = reader.buffer
            var i = reader.position
            let end = reader.end
            var high: UInt8 = 0
            while i < end {
                let c = base[i]
                if c == 0x22 || c == 0x5C || c < 0x20 { break }
                high |= c
                i += 1
            }
            if i < end && base[i] == 0x22 && high < 0x80 {
                let s = String(decoding: UnsafeBufferPointer(start: base + reader.position, count: i - reader.position), as: UTF8.self)
                reader.position = i + 1
                return s
            }
        }
        scratch.removeAll(keepingCapacity: true)
        while true {
            guard try reader.ensure() else {
                reader.line = startLine
                throw error("unterminated string")
            }
            let base = reader.buffer
            var i = reader.position
            let end = reader.end
            while i < end {
                let c = base[i]
                if c == 0x22 || c == 0x5C || c < 0x20 { break }
                i += 1
            }
            scratch.append(contentsOf: UnsafeBufferPointer(start: base + reader.position, count: i - reader.position))
            reader.position = i
            if scratch.count > maxStringBytes { throw error("string longer than \(maxStringBytes >> 20) MiB") }
            if i == end { continue }
            let c = base[i]
            reader.position += 1
            if c == 0x22 { break }
            if c < 0x20 {
                reader.position -= 1
                throw error("control character \(JSONParser.describe(c)) inside a string (not escaped)")
            }
            try parseEscape()
        }
        // ASCII-only text needs no validation.
        if !scratch.contains(where: { $0 >= 0x80 }) { return String(decoding: scratch, as: UTF8.self) }
        if let s = scratch.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) { return s }
        repairedInvalidUTF8 = true
        return String(decoding: scratch, as: UTF8.self)
    }

    private func parseEscape() throws {
        guard let e = try reader.peek() else { throw error("unterminated string") }
        reader.position += 1
        if let byte = Self.escapedByte(e) {
            scratch.append(byte)
            return
        }
        switch e {
        case 0x75:
            var code = try hex4()
            if (0xD800...0xDBFF).contains(code) {
                // A high surrogate must be followed by \u and a low surrogate.
                if try reader.peek() == 0x5C {
                    reader.position += 1
                    guard try reader.peek() == 0x75 else { throw error("invalid escape after a high surrogate") }
                    reader.position += 1
                    let low = try hex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        code = 0xFFFD
                        repairedInvalidUTF8 = true
                    }
                } else {
                    code = 0xFFFD
                    repairedInvalidUTF8 = true
                }
            } else if (0xDC00...0xDFFF).contains(code) {
                code = 0xFFFD
                repairedInvalidUTF8 = true
            }
            let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
            scratch.append(contentsOf: Array(String(scalar).utf8))
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
        }
    }

    /// The byte a one-character escape stands for (`\n`: 0x0A); nil for `\u` and for no escape.
    static func escapedByte(_ e: UInt8) -> UInt8? {
        switch e {
        case 0x22, 0x5C, 0x2F: return e
        case 0x62: return 0x08
        case 0x66: return 0x0C
        case 0x6E: return 0x0A
        case 0x72: return 0x0D
        case 0x74: return 0x09
        default: return nil
        }
    }

    /// The value of a hex digit, or nil.
    static func hexValue(_ h: UInt8) -> UInt32? {
        switch h {
        case 0x30...0x39: return UInt32(h - 0x30)
        case 0x41...0x46: return UInt32(h - 0x41 + 10)
        case 0x61...0x66: return UInt32(h - 0x61 + 10)
        default: return nil
        }
    }

    private func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let h = try reader.peek() else { throw error("unterminated \\u escape") }
            guard let digit = Self.hexValue(h) else { throw error("invalid \\u escape: \(JSONParser.describe(h)) is not a hex digit") }
            value = value << 4 | digit
            reader.position += 1
        }
        return value
    }

    private func parseNumber() throws -> String {
        var bytes: [UInt8] = []
        while let b = try reader.peek() {
            switch b {
            case 0x30...0x39, 0x2D, 0x2B, 0x2E, 0x45, 0x65:
                bytes.append(b)
                reader.position += 1
                if bytes.count > 512 { throw error("number longer than 512 characters") }
            default:
                return try validatedNumber(bytes)
            }
        }
        return try validatedNumber(bytes)
    }

    private func validatedNumber(_ bytes: [UInt8]) throws -> String {
        // -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
        var i = 0
        func digits() -> Int {
            let start = i
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
            return i - start
        }
        if i < bytes.count && bytes[i] == 0x2D { i += 1 }
        let leadingZero = i + 1 < bytes.count && bytes[i] == 0x30 && (0x30...0x39).contains(bytes[i + 1])
        var ok = digits() > 0 && !leadingZero
        if ok, i < bytes.count, bytes[i] == 0x2E {
            i += 1
            ok = digits() > 0
        }
        if ok, i < bytes.count, bytes[i] == 0x45 || bytes[i] == 0x65 {
            i += 1
            if i < bytes.count && (bytes[i] == 0x2B || bytes[i] == 0x2D) { i += 1 }
            ok = digits() > 0
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard ok && i == bytes.count else { throw error("invalid number '\(text)'") }
        return text
    }

    private func literal(_ word: String) throws {
        for expected in word.utf8 {
            guard try reader.peek() == expected else {
                throw error("invalid literal, expected '\(word)'")
            }
            reader.position += 1
        }
    }

    /// An `invalidJSON` error at the cursor's line.
    public func error(_ message: String) -> ReadError {
        .invalidJSON(path: reader.path, line: reader.line, message: message)
    }

    /// A byte as it reads in a message.
    public static func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the input" }
        switch byte {
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x0A: return "a line break"
        default: return "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }
    }
}
