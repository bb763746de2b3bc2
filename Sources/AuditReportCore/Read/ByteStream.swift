import CAuditZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The text encoding of an input, as read or as forced with `--input-encoding`.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// Excel's "Unicode text": UTF-16 with a byte-order mark (little endian unless it says big).
    case utf16 = "utf-16"
    /// What German Excel saves as CSV.
    case windows1252 = "windows-1252"
}

/// Reads a file's bytes in chunks, inflating gzip transparently (detected by its magic bytes),
/// and hands them on as UTF-8: UTF-16 (by its byte-order mark) and Windows-1252 (a start that is
/// not UTF-8) are converted on the way.
///
/// Memory is a few fixed chunk buffers, whatever the file's size.
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
    /// The encoding the bytes are read in.
    public private(set) var encoding = TextEncoding.utf8
    /// Whether the encoding was worked out from the bytes (not UTF-8 and not forced).
    public private(set) var encodingDetected = false
    private var bigEndian = false
    /// Decoded (not yet converted) bytes read ahead to tell the encoding, then served first.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var source: UnsafeMutablePointer<UInt8>
    private var carry: [UInt8] = []
    private var inflated: Int64 = 0
    /// How many zero bytes after the last gzip member were passed over (what `gzip -d` does).
    public private(set) var gzipPadding = 0
    /// The hash of the file's bytes read so far (as on disk), when asked for.
    private var hash: SHA256?

    /// The SHA-256 of the whole file as it is on disk, taken while it was read: nil unless the
    /// stream was opened `hashing` and has read a regular file to its end. (The manifest's
    /// digest of an input then costs no second read.)
    public func digest() -> String? {
        guard var hash, fileEOF, fileBytesRead == fileSize else { return nil }
        self.hash = nil
        return hash.finish()
    }

    /// Opens `path` for reading.
    /// - Throws: `ReadError.cannotOpen`, `.isDirectory`.
    /// - Parameter binary: the bytes as they are: no gzip, no text encoding (the spool's runs).
    /// - Parameter hashing: take the SHA-256 of the file's bytes as they are read (see `digest`).
    public init(path: String, chunkSize: Int = 1 << 18, encoding forced: TextEncoding? = nil, binary: Bool = false, hashing: Bool = false) throws {
        self.path = path
        if hashing { hash = SHA256() }
        self.chunkSize = chunkSize
        source = .allocate(capacity: 1 << 16)
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
        if binary { return }
        if rawEnd - rawStart >= 2 && raw[rawStart] == 0x1f && raw[rawStart + 1] == 0x8b {
            isGzip = true
            let status = audit_report_inflate_init_gzip(&zstream)
            guard status == Z_OK else {
                throw ReadError.corruptGzip(path: path, reason: "inflateInit2 returned \(status)")
            }
            zActive = true
        }
        try detectEncoding(forced)
    }

    deinit {
        if zActive { inflateEnd(&zstream) }
        raw.deallocate()
        source.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// Reads the start of the data and tells its encoding: a UTF-16 byte-order mark, else forced,
    /// else Windows-1252 when the start holds bytes that are not UTF-8.
    private func detectEncoding(_ forced: TextEncoding?) throws {
        var head = [UInt8](repeating: 0, count: 1 << 16)
        var filled = 0
        let total = head.count
        while filled < total {
            let n = try head.withUnsafeMutableBufferPointer { try readDecoded(into: $0.baseAddress! + filled, capacity: total - filled) }
            if n == 0 { break }
            filled += n
        }
        head.removeLast(head.count - filled)
        if head.count >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)) && forced != .utf8 && forced != .windows1252 {
            encoding = .utf16
            bigEndian = head[0] == 0xFE
            head.removeFirst(2)
            encodingDetected = forced == nil
        } else if let forced {
            encoding = forced
            if forced == .utf16 { bigEndian = false }
        } else if head.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }).map({ $0 != 0x7B && $0 != 0x5B }) ?? false, !Self.isUTF8Prefix(head) {
            // JSON is UTF-8 by its standard: only a CSV is taken for Windows-1252.
            encoding = .windows1252
            encodingDetected = true
        }
        pending = head
    }

    /// Whether bytes are UTF-8, allowing a sequence cut at the end.
    static func isUTF8Prefix(_ bytes: [UInt8]) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0
            guard length > 0, b <= 0xF4 else { return false }
            for k in 1..<length {
                if i + k >= n { return true }
                if bytes[i + k] & 0xC0 != 0x80 { return false }
            }
            i += length
        }
        return true
    }

    /// Reads up to `capacity` bytes of UTF-8 into `buffer`.
    /// - Returns: the number of bytes read; 0 at the end of the data.
    /// - Throws: `ReadError.ioError`, `.corruptGzip`, `.truncatedGzip`.
    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if encoding == .utf8 {
            if pendingStart < pending.count {
                let n = min(capacity, pending.count - pendingStart)
                pending.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + pendingStart, count: n) }
                pendingStart += n
                return n
            }
            return try readDecoded(into: buffer, capacity: capacity)
        }
        // Converted text grows at most threefold: read a third of the room.
        let room = max(capacity / 3 - 4, 4)
        while true {
            var count = 0
            for b in carry.prefix(room) {
                source[count] = b
                count += 1
            }
            carry.removeFirst(count)
            var fresh = 0
            if pendingStart < pending.count {
                fresh = min(room - count, pending.count - pendingStart)
                pending.withUnsafeBufferPointer { (source + count).update(from: $0.baseAddress! + pendingStart, count: fresh) }
                pendingStart += fresh
            } else {
                fresh = try readDecoded(into: source + count, capacity: room - count)
            }
            count += fresh
            if count == 0 { return 0 }
            let produced = convert(count, into: buffer)
            if produced > 0 { return produced }
            // Only part of a unit is left and no more data came: the data ends with it.
            if fresh == 0 {
                carry.removeAll()
                return 0
            }
        }
    }

    private var atEnd: Bool { isGzip ? (fileEOF && rawStart == rawEnd) : fileEOF }

    /// Converts `count` source bytes to UTF-8; an incomplete unit or surrogate pair at the end
    /// is kept for the next read.
    private func convert(_ count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var o = 0
        func put(_ scalar: UInt32) {
            if scalar < 0x80 {
                out[o] = UInt8(scalar); o += 1
            } else if scalar < 0x800 {
                out[o] = UInt8(0xC0 | (scalar >> 6)); out[o + 1] = UInt8(0x80 | (scalar & 0x3F)); o += 2
            } else if scalar < 0x10000 {
                out[o] = UInt8(0xE0 | (scalar >> 12)); out[o + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F)); out[o + 2] = UInt8(0x80 | (scalar & 0x3F)); o += 3
            } else {
                out[o] = UInt8(0xF0 | (scalar >> 18)); out[o + 1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
                out[o + 2] = UInt8(0x80 | ((scalar >> 6) & 0x3F)); out[o + 3] = UInt8(0x80 | (scalar & 0x3F)); o += 4
            }
        }
        switch encoding {
        case .windows1252:
            for i in 0..<count { put(Self.windows1252[Int(source[i])]) }
        case .utf16:
            var i = 0
            while i + 1 < count {
                let unit = bigEndian ? UInt32(source[i]) << 8 | UInt32(source[i + 1]) : UInt32(source[i + 1]) << 8 | UInt32(source[i])
                if (0xD800...0xDBFF).contains(unit) {
                    guard i + 3 < count else { break }
                    let low = bigEndian ? UInt32(source[i + 2]) << 8 | UInt32(source[i + 3]) : UInt32(source[i + 3]) << 8 | UInt32(source[i + 2])
                    if (0xDC00...0xDFFF).contains(low) {
                        put(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        i += 4
                    } else {
                        put(0xFFFD)
                        i += 2
                    }
                } else {
                    put((0xDC00...0xDFFF).contains(unit) ? 0xFFFD : unit)
                    i += 2
                }
            }
            if i < count { carry = Array(UnsafeBufferPointer(start: source + i, count: count - i)) + carry }
        case .utf8:
            break
        }
        return o
    }

    /// Windows-1252 to Unicode (the five unassigned bytes become U+FFFD).
    static let windows1252: [UInt32] = (0..<256).map { b in
        let high: [UInt32] = [
            0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
            0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
        ]
        return (0x80...0x9F).contains(b) ? high[b - 0x80] : UInt32(b)
    }

    /// Reads up to `capacity` bytes of the file's data (inflated, not converted).
    private func readDecoded(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard capacity > 0 else { return 0 }
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
            hash?.update(UnsafeRawBufferPointer(start: buffer, count: n))
            return n
        }
        return try inflate(into: buffer, capacity: capacity)
    }

    private func inflate(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            if rawStart == rawEnd && !fileEOF { try fillRaw() }
            if zMemberEnded {
                // Zeros after the last member (tape-style padding) are passed over, as gzip -d does.
                while true {
                    while rawStart < rawEnd && raw[rawStart] == 0 {
                        rawStart += 1
                        gzipPadding += 1
                    }
                    if rawStart < rawEnd || fileEOF { break }
                    try fillRaw()
                }
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
            inflated += Int64(produced)
            // A file that inflates past a hundred times its size and 1 GiB is no audit export
            // (real ones compress about tenfold): a decompression bomb ends here.
            if inflated > 1 << 30 && inflated > 100 * max(fileSize, fileBytesRead) {
                throw ReadError.corruptGzip(path: path, reason: "it inflates to more than 100 times its size; not an audit export")
            }
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
        hash?.update(UnsafeRawBufferPointer(start: raw, count: n))
    }

    static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
