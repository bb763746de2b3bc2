import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file of lines read from its end, last line first: a SIEM stream is delivered oldest first,
/// so read from its end it is newest first, as the report hands events on, and needs no sort.
///
/// Opening it reads it once forward, in large blocks: that pass takes the SHA-256 of its bytes
/// (the manifest's digest) and counts its lines, so each line read backward has the number it
/// has read forward. It also finds what a forward reader would stop at (a NUL byte, a line
/// longer than the limit): such a file is `Unfit` to be read from its end, and is read forward.
public final class BackwardLines {
    /// Why the file is not read from its end, at the first line where that shows.
    public struct Unfit: Error {
        public var path: String
        public var line: Int
        public var what: String
    }

    let path: String
    let size: Int64
    /// The SHA-256 of the file's bytes, in hex.
    let sha256: String
    /// Line ends (LF) in the file.
    let newlines: Int
    private let fd: Int32
    private let blockSize: Int

    /// - Parameters:
    ///   - maxLine: longest line, in bytes, a forward reader takes.
    ///   - stop: asked after each block (a reader whose run went another way throws).
    /// - Throws: `ReadError.cannotOpen`; `Unfit`; what `stop` throws.
    init(path: String, maxLine: Int, blockSize: Int = 1 << 20, stop: () throws -> Void) throws {
        self.path = path
        self.blockSize = blockSize
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReadError.cannotOpen(path: path, reason: ByteStream.errnoText()) }
        var hash = SHA256()
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: blockSize)
        defer { block.deallocate() }
        var offset: Int64 = 0
        var newlines = 0
        var lineStart: Int64 = 0
        do {
            while true {
                let n = Glibc.read(fd, block, blockSize)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ReadError.cannotOpen(path: path, reason: ByteStream.errnoText())
                }
                if n == 0 { break }
                hash.update(UnsafeRawBufferPointer(start: block, count: n))
                if memchr(block, 0, n) != nil {
                    throw Unfit(path: path, line: newlines + 1, what: "a NUL byte")
                }
                var i = 0
                while i < n, let found = memchr(block + i, 0x0A, n - i) {
                    let at = UnsafeMutableRawPointer(found).assumingMemoryBound(to: UInt8.self) - block
                    if offset + Int64(at) - lineStart > Int64(maxLine) { throw Unfit(path: path, line: newlines + 1, what: "a line longer than \(maxLine) bytes") }
                    newlines += 1
                    lineStart = offset + Int64(at) + 1
                    i = at + 1
                }
                offset += Int64(n)
                if offset - lineStart > Int64(maxLine) { throw Unfit(path: path, line: newlines + 1, what: "a line longer than \(maxLine) bytes") }
                try stop()
            }
        } catch {
            close(fd)
            throw error
        }
        size = offset
        self.newlines = newlines
        sha256 = hash.finish()
    }

    deinit { close(fd) }

    /// Diagnostics given reading from the end (last line first, each line's own in the order
    /// given) in the order reading forward gives them: the lines' groups reversed.
    public static func inLineOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var groups: [ArraySlice<Diagnostic>] = []
        var start = 0
        while start < diagnostics.count {
            var end = start + 1
            while end < diagnostics.count && diagnostics[end].line == diagnostics[start].line { end += 1 }
            groups.append(diagnostics[start..<end])
            start = end
        }
        return groups.reversed().flatMap { $0 }
    }

    /// Hands each line (without its LF) to `body` with its number, the last line first; a last
    /// line with no LF after it is a line, the empty text after a last LF too.
    /// - Parameters:
    ///   - stop: asked after each block.
    ///   - progress: bytes read so far (from the end).
    func read(stop: () throws -> Void, progress: (Int64) -> Void, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var position = size
        // One buffer for the whole read: each block is read to its start, after the file's later
        // part not yet handed on (a line whose start is in an earlier block), which is moved
        // there first. That part is what is left at the buffer's start once the block's lines
        // are handed on. (An array per block, filled through a second buffer, had been a copy
        // of every byte and two allocations of a block each, which freed made malloc tidy its
        // small chunks every time.)
        var capacity = blockSize + (64 << 10)
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var restCount = 0
        var line = newlines + 1
        while position > 0 {
            let n = Int(min(Int64(blockSize), position))
            position -= Int64(n)
            if n + restCount > capacity {
                // A line longer than the buffer: it grows by half at least, not by a block.
                capacity = max(n + restCount, capacity + capacity / 2)
                let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
                larger.update(from: buffer, count: restCount)
                buffer.deallocate()
                buffer = larger
            }
            (buffer + n).update(from: buffer, count: restCount)
            var filled = 0
            while filled < n {
                let got = pread(fd, buffer + filled, n - filled, off_t(position) + off_t(filled))
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { throw ReadError.cannotOpen(path: path, reason: got < 0 ? ByteStream.errnoText() : "the file became shorter while it was read") }
                filled += got
            }
            var end = n + restCount
            while end > 0, let found = lastNewline(buffer, end) {
                let at = UnsafeRawPointer(found) - UnsafeRawPointer(buffer)
                try body(UnsafeBufferPointer(start: buffer + at + 1, count: end - at - 1), line)
                line -= 1
                end = at
            }
            restCount = end
            progress(size - position)
            try stop()
        }
        guard line == 1 else {
            throw ReadError.cannotOpen(path: path, reason: "the file changed while it was read")
        }
        try body(UnsafeBufferPointer(start: buffer, count: restCount), 1)
    }
}

/// glibc's `memrchr` (a GNU extension the Glibc module does not bring in): the last `c` in
/// the `count` bytes at `s`.
@_silgen_name("memrchr")
private func glibcMemrchr(_ s: UnsafeRawPointer, _ c: Int32, _ count: Int) -> UnsafeMutableRawPointer?

private func lastNewline(_ base: UnsafePointer<UInt8>, _ count: Int) -> UnsafeMutableRawPointer? {
    glibcMemrchr(base, 0x0A, count)
}
