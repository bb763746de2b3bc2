/// A buffered cursor over a `ByteStream` that counts lines; the CSV tokenizer and the JSON
/// parser read through it byte by byte without per-byte calls into the stream.
public final class ByteReader {
    /// The stream refilled from; nil for a reader over bytes held in memory.
    public let stream: ByteStream?
    public let path: String
    @usableFromInline var buffer: UnsafeMutablePointer<UInt8>
    @usableFromInline var position = 0
    @usableFromInline var end = 0
    @usableFromInline var atEOF = false
    /// 1-based line of the byte at the cursor.
    public var line = 1
    let capacity: Int

    /// - Parameter skipBOM: drop a UTF-8 byte-order mark at the start.
    public init(stream: ByteStream, capacity: Int = 1 << 18, skipBOM: Bool = true) throws {
        self.stream = stream
        self.path = stream.path
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
        _ = try refill()
        if skipBOM && end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
            position = 3
        }
    }

    /// A reader over bytes in memory (e.g. a JSON document held in a string field).
    public init(bytes: some Collection<UInt8>, path: String, line: Int = 1) {
        stream = nil
        self.path = path
        capacity = max(bytes.count, 1)
        buffer = .allocate(capacity: capacity)
        _ = UnsafeMutableBufferPointer(start: buffer, count: capacity).initialize(from: bytes)
        end = bytes.count
        self.line = line
    }

    deinit { buffer.deallocate() }

    /// The bytes buffered from the cursor on (at most one buffer), for sniffing the format.
    public func lookahead() -> [UInt8] {
        Array(UnsafeBufferPointer(start: buffer + position, count: end - position))
    }

    /// Reads the next chunk when the buffer is used up.
    /// - Returns: false at the end of the data.
    @inlinable
    public func ensure() throws -> Bool {
        if position < end { return true }
        return try refill()
    }

    @usableFromInline
    func refill() throws -> Bool {
        if atEOF { return false }
        guard let stream else {
            atEOF = true
            position = 0
            end = 0
            return false
        }
        position = 0
        end = 0
        // Fill the whole buffer where the stream gives short reads, so lookahead is useful.
        while end < capacity {
            let n = try stream.read(into: buffer + end, capacity: capacity - end)
            if n == 0 {
                atEOF = end == 0
                break
            }
            end += n
            if end >= 4096 { break }
        }
        return end > 0
    }

    /// The byte at the cursor, or nil at the end.
    @inlinable
    public func peek() throws -> UInt8? {
        if position < end { return buffer[position] }
        return try refill() ? buffer[position] : nil
    }

    /// Moves past the byte at the cursor, counting a newline.
    @inlinable
    public func advance() {
        if buffer[position] == 0x0A { line += 1 }
        position += 1
    }
}
