/// One CSV record: the bytes of its fields end to end, with where each field ends.
public struct CSVRecord {
    public var bytes: [UInt8] = []
    public var ends: [Int] = []
    /// The line the record starts on.
    public var line = 0

    public init() {}

    public var count: Int { ends.count }

    /// The field's bytes.
    public func field(_ index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes[start..<ends[index]]
    }

    /// Calls `body` with the field's bytes.
    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        field(index).withUnsafeBufferPointer(body)
    }

    /// The field as text, or nil when it is not valid UTF-8.
    public func string(_ index: Int) -> String? {
        let slice = field(index)
        return slice.withUnsafeBufferPointer { buffer in
            // ASCII (most cells) is valid UTF-8: take the fast decoding path.
            if !buffer.contains(where: { $0 >= 0x80 }) { return String(decoding: buffer, as: UTF8.self) }
            return String(validating: buffer, as: UTF8.self)
        }
    }

    /// The same, a recurring text shared through `strings` (see `StringInterner`).
    func string(_ index: Int, strings: StringInterner) -> String? {
        field(index).withUnsafeBufferPointer { buffer in
            let ascii = !buffer.contains(where: { $0 >= 0x80 })
            if ascii && !StringInterner.worthSharing(buffer.count) { return String(decoding: buffer, as: UTF8.self) }
            return strings.validString(buffer, ascii: ascii)
        }
    }

    /// The field as text with invalid UTF-8 replaced by U+FFFD.
    public func repairedString(_ index: Int) -> String {
        let slice = field(index)
        return slice.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// A line holding nothing (or only white space in a single field).
    public var isBlank: Bool {
        count == 1 && bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    mutating func reset(line: Int) {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        self.line = line
    }
}

/// An RFC 4180 tokenizer working on bytes: quoted fields with embedded delimiters, doubled
/// quotes and newlines; LF, CRLF and lone CR line ends; any one-byte delimiter.
public final class CSVTokenizer {
    public let reader: ByteReader
    public var delimiter: UInt8
    /// Longest record accepted, in bytes; a longer one is an error, not an endless read.
    public let maxRecordBytes: Int
    /// Most fields accepted in one record.
    public let maxFields: Int
    /// Lines on which a quoted field had text after its closing quote (kept as written).
    public private(set) var strayQuoteLines: [Int] = []

    public init(reader: ByteReader, delimiter: UInt8, maxRecordBytes: Int = 64 << 20, maxFields: Int = 16_384) {
        self.reader = reader
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
        self.maxFields = maxFields
    }

    /// Reads the next record into `record`.
    /// - Returns: false at the end of the input.
    /// - Throws: `ReadError.unterminatedQuote`, `.recordTooLarge`, `.tooManyColumns`, `.binaryData`.
    public func next(into record: inout CSVRecord) throws -> Bool {
        record.reset(line: reader.line)
        guard try reader.ensure() else { return false }
        let quote: UInt8 = 0x22
        let lf: UInt8 = 0x0A
        let cr: UInt8 = 0x0D
        let delim = delimiter
        fieldLoop: while true {
            if record.ends.count >= maxFields {
                throw ReadError.tooManyColumns(path: reader.path, line: record.line, limit: maxFields)
            }
            guard try reader.ensure() else {
                record.ends.append(record.bytes.count)
                return true
            }
            if reader.buffer[reader.position] == quote {
                reader.position += 1
                let openedOn = reader.line
                quoted: while true {
                    guard try reader.ensure() else {
                        throw ReadError.unterminatedQuote(path: reader.path, line: openedOn)
                    }
                    let base = reader.buffer
                    var i = reader.position
                    let end = reader.end
                    var newlines = 0
                    while i < end {
                        let b = base[i]
                        if b == quote { break }
                        if b == lf { newlines += 1 }
                        if b == 0 { throw ReadError.binaryData(path: reader.path, line: reader.line + newlines) }
                        i += 1
                    }
                    record.bytes.append(contentsOf: UnsafeBufferPointer(start: base + reader.position, count: i - reader.position))
                    reader.line += newlines
                    reader.position = i
                    try checkSize(record)
                    if i == end { continue quoted }
                    // At a quote: doubled means a literal quote, else the field closes.
                    reader.position += 1
                    if try reader.peek() == quote {
                        record.bytes.append(quote)
                        reader.position += 1
                        continue quoted
                    }
                    break quoted
                }
                // After the closing quote: text up to the delimiter is kept as written.
                while let b = try reader.peek(), b != delim && b != lf && b != cr {
                    if strayQuoteLines.last != reader.line { strayQuoteLines.append(reader.line) }
                    record.bytes.append(b)
                    reader.position += 1
                    try checkSize(record)
                }
            } else {
                unquoted: while true {
                    let base = reader.buffer
                    var i = reader.position
                    let end = reader.end
                    while i < end {
                        let b = base[i]
                        if b == delim || b == lf || b == cr { break }
                        if b == 0 { throw ReadError.binaryData(path: reader.path, line: reader.line) }
                        i += 1
                    }
                    record.bytes.append(contentsOf: UnsafeBufferPointer(start: base + reader.position, count: i - reader.position))
                    reader.position = i
                    try checkSize(record)
                    if i < end { break unquoted }
                    guard try reader.ensure() else { break unquoted }
                }
            }
            record.ends.append(record.bytes.count)
            guard let b = try reader.peek() else { return true }
            reader.position += 1
            if b == delim { continue fieldLoop }
            reader.line += 1
            if b == cr, try reader.peek() == lf { reader.position += 1 }
            return true
        }
    }

    /// Reads the first record that is not blank (a header).
    /// - Throws: `ReadError.emptyFile` when there is none.
    public func nextNonBlank(into record: inout CSVRecord) throws {
        repeat {
            guard try next(into: &record) else { throw ReadError.emptyFile(path: reader.path) }
        } while record.isBlank
    }

    @inline(__always)
    private func checkSize(_ record: CSVRecord) throws {
        if record.bytes.count > maxRecordBytes {
            throw ReadError.recordTooLarge(path: reader.path, line: record.line, limit: maxRecordBytes)
        }
    }

    /// Guesses the delimiter from the header line: the most frequent of `,` `;` tab outside quotes.
    public static func detectDelimiter(_ sample: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var inQuotes = false
        for b in sample {
            if b == 0x22 { inQuotes.toggle() }
            if inQuotes { continue }
            if b == 0x0A || b == 0x0D { break }
            if counts[b] != nil { counts[b]! += 1 }
        }
        let best = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!
        return best.value == 0 ? 0x2C : best.key
    }
}
