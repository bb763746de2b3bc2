/// One CSV record: the bytes of its fields end to end, with where each field ends.
///
/// The bytes are kept in memory of the record's own (`RecordBytes`, copied on write), so a field
/// is read where it lies: through an array, each cell's read retained and released the array
/// and checked it for uniqueness, and each append did too.
public struct CSVRecord {
    private var storage = RecordBytes()
    public var ends: [Int] = []
    /// The line the record starts on.
    public var line = 0

    public init() {}

    public var count: Int { ends.count }

    /// Bytes of all fields together.
    var byteCount: Int { storage.count }

    /// The field's bytes, where they lie: valid while the record lives and is not changed.
    @inline(__always)
    func fieldBytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : ends[index - 1]
        return UnsafeBufferPointer(start: storage.base + start, count: ends[index] - start)
    }

    /// The field's bytes.
    public func field(_ index: Int) -> [UInt8] {
        withField(index) { Array($0) }
    }

    /// Calls `body` with the field's bytes.
    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withExtendedLifetime(storage) { body(fieldBytes(index)) }
    }

    /// The field as text, or nil when it is not valid UTF-8.
    public func string(_ index: Int) -> String? {
        withField(index) { buffer in
            // ASCII (most cells) is valid UTF-8: take the fast decoding path.
            if !buffer.contains(where: { $0 >= 0x80 }) { return String(decoding: buffer, as: UTF8.self) }
            return String(validating: buffer, as: UTF8.self)
        }
    }

    /// The same, a recurring text shared through `strings` (see `StringInterner`).
    /// (The bytes are read where they lie without `withField`: the record, borrowed for the
    /// call, keeps them; keeping them alive again had retained and released them per cell.)
    func string(_ index: Int, strings: StringInterner) -> String? {
        let buffer = fieldBytes(index)
        if buffer.isEmpty { return "" }
        let ascii = ByteWord.isASCII(buffer)
        if ascii && !StringInterner.worthSharing(buffer.count) { return strings.shortASCII(buffer) }
        return strings.validString(buffer, ascii: ascii)
    }

    /// The field as text with invalid UTF-8 replaced by U+FFFD.
    public func repairedString(_ index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// A line holding nothing (or only white space in a single field).
    public var isBlank: Bool {
        count == 1 && withField(0) { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
    }

    mutating func reset(line: Int) {
        unique()
        storage.count = 0
        ends.removeAll(keepingCapacity: true)
        self.line = line
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        unique()
        storage.append(bytes)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        unique()
        storage.append(byte)
    }

    /// Ends the field whose bytes were appended last.
    @inline(__always)
    mutating func endField() { ends.append(storage.count) }

    @inline(__always)
    private mutating func unique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }
}

/// The bytes of a `CSVRecord`, in memory that grows as records need and is reused for the next.
final class RecordBytes {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    var count = 0

    init(capacity: Int = 1024) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { base.deallocate() }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).update(from: from, count: bytes.count)
        count += bytes.count
    }

    func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    func copy() -> RecordBytes {
        let other = RecordBytes(capacity: max(capacity, 1))
        other.append(UnsafeBufferPointer(start: base, count: count))
        return other
    }

    private func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = larger
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
                record.endField()
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
                    // Eight bytes at a time up to a word that holds a quote, a line feed or a NUL.
                    while i + 8 <= end {
                        let w = ByteWord.load(base, i)
                        if ByteWord.has(w, quote) | ByteWord.has(w, lf) | ByteWord.zero(w) != 0 { break }
                        i += 8
                    }
                    while i < end {
                        let b = base[i]
                        if b == quote { break }
                        if b == lf { newlines += 1 }
                        if b == 0 { throw ReadError.binaryData(path: reader.path, line: reader.line + newlines) }
                        i += 1
                    }
                    record.append(UnsafeBufferPointer(start: base + reader.position, count: i - reader.position))
                    reader.line += newlines
                    reader.position = i
                    try checkSize(record)
                    if i == end { continue quoted }
                    // At a quote: doubled means a literal quote, else the field closes.
                    reader.position += 1
                    if try reader.peek() == quote {
                        record.append(quote)
                        reader.position += 1
                        continue quoted
                    }
                    break quoted
                }
                // After the closing quote: text up to the delimiter is kept as written.
                while let b = try reader.peek(), b != delim && b != lf && b != cr {
                    if strayQuoteLines.last != reader.line { strayQuoteLines.append(reader.line) }
                    record.append(b)
                    reader.position += 1
                    try checkSize(record)
                }
            } else {
                unquoted: while true {
                    let base = reader.buffer
                    var i = reader.position
                    let end = reader.end
                    // Eight bytes at a time up to a word that holds a delimiter, a line end or a NUL.
                    while i + 8 <= end {
                        let w = ByteWord.load(base, i)
                        if ByteWord.has(w, delim) | ByteWord.has(w, lf) | ByteWord.has(w, cr) | ByteWord.zero(w) != 0 { break }
                        i += 8
                    }
                    while i < end {
                        let b = base[i]
                        if b == delim || b == lf || b == cr { break }
                        if b == 0 { throw ReadError.binaryData(path: reader.path, line: reader.line) }
                        i += 1
                    }
                    record.append(UnsafeBufferPointer(start: base + reader.position, count: i - reader.position))
                    reader.position = i
                    try checkSize(record)
                    if i < end { break unquoted }
                    guard try reader.ensure() else { break unquoted }
                }
            }
            record.endField()
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
        if record.byteCount > maxRecordBytes {
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
