import CAuditZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file's bytes in chunks, inflating gzip transparently (detected by its magic bytes).
///
/// Memory is the two fixed chunk buffers, whatever the file's size.
public final class ByteStream {
    /// The path as given, for messages.
    public let path: String
    /// Whether the file is gzip-compressed.
    public private(set) var isGzip = false
    /// Bytes of the file consumed so far (compressed bytes for gzip), for progress.
    public private(set) var fileBytesRead: Int64 = 0
    /// The file's size in bytes, 0 when unknown.
    public let fileSize: Int64

    private var fd: Int32
    private let chunkSize: Int
    private var raw: UnsafeMutablePointer<UInt8>
    private var rawStart = 0
    private var rawEnd = 0
    private var fileEOF = false
    private var zstream = z_stream()
    private var zActive = false
    private var zMemberEnded = false

    /// Opens `path` for reading.
    /// - Throws: `ReadError.cannotOpen`, `.isDirectory`.
    public init(path: String, chunkSize: Int = 1 << 18) throws {
        self.path = path
        self.chunkSize = chunkSize
        var st = stat()
        if stat(path, &st) != 0 {
            throw ReadError.cannotOpen(path: path, reason: Self.errnoText())
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw ReadError.isDirectory(path: path)
        }
        fileSize = (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : 0
        fd = open(path, O_RDONLY)
        if fd < 0 {
            throw ReadError.cannotOpen(path: path, reason: Self.errnoText())
        }
        raw = .allocate(capacity: chunkSize)
        try fillRaw()
        if rawEnd - rawStart >= 2 && raw[rawStart] == 0x1f && raw[rawStart + 1] == 0x8b {
            isGzip = true
            let status = audit_report_inflate_init_gzip(&zstream)
            guard status == Z_OK else {
                throw ReadError.corruptGzip(path: path, reason: "inflateInit2 returned \(status)")
            }
            zActive = true
        }
    }

    deinit {
        if zActive { inflateEnd(&zstream) }
        raw.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// Reads up to `capacity` decoded bytes into `buffer`.
    /// - Returns: the number of bytes read; 0 at the end of the data.
    /// - Throws: `ReadError.ioError`, `.corruptGzip`, `.truncatedGzip`.
    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if !isGzip {
            if rawStart < rawEnd {
                let n = min(capacity, rawEnd - rawStart)
                buffer.update(from: raw + rawStart, count: n)
                rawStart += n
                return n
            }
            if fileEOF { return 0 }
            let n = Glibc.read(fd, buffer, capacity)
            if n < 0 { throw ReadError.ioError(path: path, reason: Self.errnoText()) }
            if n == 0 { fileEOF = true }
            fileBytesRead += Int64(n)
            return n
        }
        return try inflate(into: buffer, capacity: capacity)
    }

    private func inflate(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            if rawStart == rawEnd && !fileEOF { try fillRaw() }
            if zMemberEnded {
                // Concatenated gzip members are one stream (as gzip -d treats them).
                if rawStart == rawEnd && fileEOF { return 0 }
                inflateReset(&zstream)
                zMemberEnded = false
            }
            zstream.next_in = raw + rawStart
            zstream.avail_in = UInt32(rawEnd - rawStart)
            zstream.next_out = buffer
            zstream.avail_out = UInt32(capacity)
            let status = CAuditZlib.inflate(&zstream, Z_NO_FLUSH)
            let consumed = (rawEnd - rawStart) - Int(zstream.avail_in)
            rawStart += consumed
            let produced = capacity - Int(zstream.avail_out)
            switch status {
            case Z_STREAM_END:
                zMemberEnded = true
                if produced > 0 { return produced }
            case Z_OK:
                if produced > 0 { return produced }
            case Z_BUF_ERROR:
                if produced > 0 { return produced }
                if fileEOF && rawStart == rawEnd { throw ReadError.truncatedGzip(path: path) }
            default:
                let message = zstream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw ReadError.corruptGzip(path: path, reason: message)
            }
            if fileEOF && rawStart == rawEnd && !zMemberEnded && produced == 0 {
                throw ReadError.truncatedGzip(path: path)
            }
        }
    }

    private func fillRaw() throws {
        rawStart = 0
        rawEnd = 0
        let n = Glibc.read(fd, raw, chunkSize)
        if n < 0 { throw ReadError.ioError(path: path, reason: Self.errnoText()) }
        if n == 0 { fileEOF = true }
        rawEnd = n
        fileBytesRead += Int64(n)
    }

    static func errnoText() -> String {
        String(cString: strerror(errno)).lowercased()
    }
}
