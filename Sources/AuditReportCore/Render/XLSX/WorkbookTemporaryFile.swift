import CAuditIsal
import CAuditStdio
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// libxlsxwriter's temporary files, compressed as they are written.
///
/// In constant-memory mode libxlsxwriter writes each worksheet's rows to a temporary file, copies
/// that into a second temporary file when the workbook is closed (the sheet's XML with its head
/// and tail), and reads the second one back into the zip: for a million events the events
/// sheet's 1.2 GB of XML is written twice and read twice. The page cache of a small machine does
/// not hold that, so at 4M events the kernel's work on these files was 79 to 98 s of the report's
/// 153 to 169 s.
///
/// This file defines libxlsxwriter's `lxw_tmpfile` in the executable; the dynamic linker binds
/// the library's calls to it, as it does zlib's for `ParallelDeflate`. Each temporary file is a
/// stdio stream over a `WorkbookTemporaryFile`: bytes are gathered in blocks of up to
/// `blockSize`, each block is compressed with ISA-L's fastest level and written to an unlinked
/// file in the workbook's private directory, and read back and inflated block by block after
/// libxlsxwriter rewinds the stream. The files shrink about sevenfold (9.9 GB to 1.4 GB for a 4M
/// report), so they mostly stay in the page cache. The workbook's bytes do not change.
///
/// libxlsxwriter uses its temporary files in one way: write, rewind, read to the end, close.
/// Those are the operations a `WorkbookTemporaryFile` has; writing after a rewind, or seeking
/// anywhere but the start, fails with `EINVAL`. A failure (a full disk, a block that does not
/// inflate) is kept for the directory, and `XLSXWorkbook.close` reports it: libxlsxwriter itself
/// does not look at its writes' results.
///
/// `AUDIT_REPORT_XLSX_TEMPORARY=plain` gives libxlsxwriter plain temporary files instead (for
/// comparison).
final class WorkbookTemporaryFile {
    /// Raw bytes per block, at most: large enough that ISA-L finds the XML's repetitions, small
    /// enough to keep a few sheets' buffers well inside the memory budget.
    static let blockSize = 1 << 20
    /// A block's first raw buffer; small sheets never need more.
    static let firstCapacity = 1 << 16
    /// A block header's bit that says the block is stored as it is (it did not shrink).
    static let storedFlag: UInt32 = 1 << 31

    /// Whether libxlsxwriter gets compressed temporary files (else plain ones).
    static let compressed = ProcessInfo.processInfo.environment["AUDIT_REPORT_XLSX_TEMPORARY"]?.lowercased() != "plain"

    private let descriptor: Int32
    private let directory: String
    private var reading = false
    private var failed = false
    /// The block being written, or the block being read.
    private var raw: UnsafeMutablePointer<UInt8>
    private var rawCapacity: Int
    private var rawCount = 0
    private var rawOffset = 0
    /// The stream's position: bytes written so far, or read since the rewind.
    private var position: Int64 = 0
    /// Bytes given and bytes written to the file, for `Statistics`.
    private var rawTotal: Int64 = 0
    private var storedTotal: Int64 = 0

    init(descriptor: Int32, directory: String) {
        self.descriptor = descriptor
        self.directory = directory
        rawCapacity = Self.firstCapacity
        raw = .allocate(capacity: rawCapacity)
    }

    deinit {
        raw.deallocate()
    }

    // MARK: The stream's operations

    /// Takes `count` bytes. Returns `count`, or -1 with `errno` set.
    func write(_ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        guard !failed else { return fail(EIO) }
        guard !reading else { return fail(EINVAL, "was written after it was rewound") }
        var done = 0
        while done < count {
            if rawCount == rawCapacity {
                if rawCapacity < Self.blockSize {
                    let capacity = min(rawCapacity * 2, Self.blockSize)
                    let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
                    larger.update(from: raw, count: rawCount)
                    raw.deallocate()
                    raw = larger
                    rawCapacity = capacity
                } else if !writeBlock() {
                    return -1
                }
            }
            let n = min(count - done, rawCapacity - rawCount)
            (raw + rawCount).update(from: bytes.advanced(by: done).assumingMemoryBound(to: UInt8.self), count: n)
            rawCount += n
            done += n
        }
        position += Int64(count)
        return count
    }

    /// Moves to `offset` from `whence`: only to the start (which ends writing), or nowhere (the
    /// position, for `ftell`). Returns the new position, or -1 with `errno` set.
    func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        if whence == SEEK_CUR && offset == 0 { return position }
        guard offset == 0 && whence == SEEK_SET else {
            _ = fail(EINVAL, "was moved to a place other than its start")
            return -1
        }
        guard !failed else {
            errno = EIO
            return -1
        }
        if !reading {
            guard writeBlock() else { return -1 }
            reading = true
            Self.statistics.add(raw: rawTotal, stored: storedTotal, directory: directory)
        }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { return Int64(fail(errno, "could not be rewound")) }
        rawCount = 0
        rawOffset = 0
        position = 0
        return 0
    }

    /// Reads up to `count` bytes into `buffer`: 0 at the end, -1 with `errno` set on a failure.
    /// Before a rewind there is nothing to read (libxlsxwriter never reads then).
    func read(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        guard !failed else { return fail(EIO) }
        guard reading else { return 0 }
        var done = 0
        while done < count {
            if rawOffset == rawCount {
                switch readBlock() {
                case .some(true): break
                case .some(false): position += Int64(done); return done
                case .none: return -1
                }
            }
            let n = min(count - done, rawCount - rawOffset)
            buffer.advanced(by: done).copyMemory(from: raw + rawOffset, byteCount: n)
            rawOffset += n
            done += n
        }
        position += Int64(done)
        return done
    }

    /// Closes the file (it was unlinked when it was made, so that removes it).
    func close() -> Int32 {
        Glibc.close(descriptor)
    }

    // MARK: Blocks

    /// Compresses the raw bytes gathered and writes them as one block; a block that does not
    /// shrink is stored as it is.
    private func writeBlock() -> Bool {
        guard rawCount > 0 else { return true }
        let scratch = Scratch.take()
        defer { Scratch.give(scratch) }
        let stored = scratch.stored(8 + rawCount + rawCount / 8 + 1024)
        let stream = scratch.deflater
        isal_deflate_stateless_init(stream)
        stream.pointee.level = 1
        stream.pointee.level_buf = scratch.levelBuffer
        stream.pointee.level_buf_size = UInt32(Scratch.levelBufferSize)
        stream.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
        stream.pointee.end_of_stream = 1
        stream.pointee.flush = UInt16(NO_FLUSH)
        stream.pointee.next_in = raw
        stream.pointee.avail_in = UInt32(rawCount)
        stream.pointee.next_out = stored + 8
        stream.pointee.avail_out = UInt32(scratch.storedCapacity - 8)
        var size: UInt32
        if isal_deflate_stateless(stream) == COMP_OK && Int(stream.pointee.total_out) < rawCount {
            size = stream.pointee.total_out
        } else {
            (stored + 8).update(from: raw, count: rawCount)
            size = UInt32(rawCount) | Self.storedFlag
        }
        let header = [UInt32(rawCount).littleEndian, size.littleEndian]
        header.withUnsafeBytes { UnsafeMutableRawPointer(stored).copyMemory(from: $0.baseAddress!, byteCount: 8) }
        let total = 8 + Int(size & ~Self.storedFlag)
        guard Descriptor.writeAll(descriptor, stored, total) else {
            _ = fail(errno, "could not be written")
            return false
        }
        rawTotal += Int64(rawCount)
        storedTotal += Int64(total)
        rawCount = 0
        return true
    }

    /// Reads and inflates the next block into `raw`: true, false at the end, nil on a failure.
    private func readBlock() -> Bool? {
        var header: (UInt32, UInt32) = (0, 0)
        let got = withUnsafeMutableBytes(of: &header) { readFully($0.baseAddress!, 8) }
        guard got == 8 else {
            if got == 0 { return false }
            if got > 0 { _ = fail(EIO, "ends inside a block") }
            return nil
        }
        let rawSize = Int(UInt32(littleEndian: header.0))
        let sizeField = UInt32(littleEndian: header.1)
        let storedSize = Int(sizeField & ~Self.storedFlag)
        guard rawSize <= Self.blockSize, storedSize <= Self.blockSize + Self.blockSize / 8 + 1024 else {
            _ = fail(EIO, "has a block header that is not this program's")
            return nil
        }
        if rawCapacity < rawSize {
            raw.deallocate()
            raw = .allocate(capacity: rawSize)
            rawCapacity = rawSize
        }
        if sizeField & Self.storedFlag != 0 {
            guard storedSize == rawSize, readFully(raw, rawSize) == rawSize else {
                _ = fail(EIO, "ends inside a block")
                return nil
            }
        } else {
            let scratch = Scratch.take()
            defer { Scratch.give(scratch) }
            let stored = scratch.stored(storedSize)
            guard readFully(stored, storedSize) == storedSize else {
                _ = fail(EIO, "ends inside a block")
                return nil
            }
            let inflater = scratch.inflater
            isal_inflate_init(inflater)
            inflater.pointee.next_in = stored
            inflater.pointee.avail_in = UInt32(storedSize)
            inflater.pointee.next_out = raw
            inflater.pointee.avail_out = UInt32(rawSize)
            guard isal_inflate_stateless(inflater) == ISAL_DECOMP_OK, Int(inflater.pointee.total_out) == rawSize else {
                _ = fail(EIO, "has a block that does not inflate")
                return nil
            }
        }
        rawCount = rawSize
        rawOffset = 0
        return true
    }

    /// Reads `count` bytes unless the file ends first: the number read, or -1 with `errno` set.
    private func readFully(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        var got = 0
        while got < count {
            let n = Glibc.read(descriptor, buffer + got, count - got)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return fail(errno, "could not be read") }
            if n == 0 { break }
            got += n
        }
        return got
    }

    /// Marks the file failed, keeps the first failure for its directory, and sets `errno`.
    /// Returns -1.
    private func fail(_ code: Int32, _ what: String? = nil) -> Int {
        if !failed, let what {
            Self.failures.record(directory: directory, message: "a temporary file of the workbook \(what): \(ByteStream.errnoText(code))")
        }
        failed = true
        errno = code
        return -1
    }

    // MARK: What compressing and inflating a block needs

    /// A block as stored (an 8-byte header: raw size, stored size with `storedFlag`; then its
    /// bytes) and ISA-L's states, lent to one block at a time. A workbook has a temporary file
    /// open per sheet while rows come in (four events sheets at 4M events), so each file keeps
    /// only its raw block (up to 1 MiB), and the rest (1.6 MB) is shared; the pool keeps at most
    /// two idle.
    final class Scratch {
        static let levelBufferSize = Int(audit_report_isal_level1_buffer_size())
        private(set) var storedBuffer: UnsafeMutablePointer<UInt8>
        private(set) var storedCapacity: Int
        let deflater = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
        let levelBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Scratch.levelBufferSize)
        let inflater = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)

        init() {
            storedCapacity = 8 + WorkbookTemporaryFile.blockSize + WorkbookTemporaryFile.blockSize / 8 + 1024
            storedBuffer = .allocate(capacity: storedCapacity)
            deflater.initialize(to: isal_zstream())
            inflater.initialize(to: inflate_state())
        }

        deinit {
            storedBuffer.deallocate()
            deflater.deallocate()
            levelBuffer.deallocate()
            inflater.deallocate()
        }

        /// The stored block's buffer, at least `count` bytes.
        func stored(_ count: Int) -> UnsafeMutablePointer<UInt8> {
            if storedCapacity < count {
                storedBuffer.deallocate()
                storedBuffer = .allocate(capacity: count)
                storedCapacity = count
            }
            return storedBuffer
        }

        private static let lock = NSLock()
        nonisolated(unsafe) private static var idle: [Scratch] = []

        static func take() -> Scratch {
            lock.lock()
            let scratch = idle.popLast()
            lock.unlock()
            return scratch ?? Scratch()
        }

        static func give(_ scratch: Scratch) {
            lock.lock()
            if idle.count < 2 { idle.append(scratch) }
            lock.unlock()
        }
    }

    // MARK: Failures and statistics

    /// The first failure of a temporary file, per directory (one workbook's private directory).
    static let failures = Failures()

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String: String] = [:]

        func record(directory: String, message: String) {
            lock.lock()
            if messages[directory] == nil { messages[directory] = message }
            lock.unlock()
        }

        /// The failure recorded for `directory`, forgotten as it is taken.
        func take(directory: String) -> String? {
            lock.lock()
            defer { lock.unlock() }
            return messages.removeValue(forKey: directory)
        }
    }

    /// Bytes libxlsxwriter wrote to compressed temporary files, and bytes that reached the disk,
    /// over the process, and for a folder being watched (so a test can see that its workbook
    /// went this way, whatever other tests write at the same time).
    static let statistics = Statistics()

    final class Statistics: @unchecked Sendable {
        private let lock = NSLock()
        private var sums: (raw: Int64, stored: Int64) = (0, 0)
        /// Only folders asked for are summed apart (nothing is kept for the others).
        private var watched: [String: (raw: Int64, stored: Int64)] = [:]

        func add(raw: Int64, stored: Int64, directory: String? = nil) {
            lock.lock()
            sums.raw += raw
            sums.stored += stored
            if let directory, let sum = watched[directory] { watched[directory] = (sum.raw + raw, sum.stored + stored) }
            lock.unlock()
        }

        /// Sums the files written in `directory` from now on, apart.
        func watch(directory: String) {
            lock.lock()
            watched[directory] = (0, 0)
            lock.unlock()
        }

        /// What was written in a watched folder; it is no longer watched.
        func take(directory: String) -> (raw: Int64, stored: Int64)? {
            lock.lock()
            defer { lock.unlock() }
            return watched.removeValue(forKey: directory)
        }

        var totals: (raw: Int64, stored: Int64) {
            lock.lock()
            defer { lock.unlock() }
            return sums
        }
    }

    // MARK: libxlsxwriter's temporary files

    /// A temporary file in `directory` (libxlsxwriter's `tmpdir`, else `TMPDIR` or /tmp),
    /// unlinked at once, as a stdio stream: compressed unless `compressed` is off.
    static func open(in directory: String?) -> UnsafeMutablePointer<FILE>? {
        let folder = directory.flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/audit-report-sheet-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { audit_report_make_temporary($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        guard compressed else {
            let file = fdopen(descriptor, "w+")
            if file == nil { Glibc.close(descriptor) }
            return file
        }
        return stream(descriptor: descriptor, directory: folder)
    }

    /// A stdio stream over a new `WorkbookTemporaryFile` on `descriptor`, which it closes.
    static func stream(descriptor: Int32, directory: String) -> UnsafeMutablePointer<FILE>? {
        let file = WorkbookTemporaryFile(descriptor: descriptor, directory: directory)
        let cookie = Unmanaged.passRetained(file).toOpaque()
        let stream = audit_report_open_stream(
            cookie, "w+",
            { cookie, buffer, count in
                Unmanaged<WorkbookTemporaryFile>.fromOpaque(cookie!).takeUnretainedValue().read(buffer!, count)
            },
            { cookie, buffer, count in
                Unmanaged<WorkbookTemporaryFile>.fromOpaque(cookie!).takeUnretainedValue().write(buffer!, count)
            },
            { cookie, offset, whence in
                Unmanaged<WorkbookTemporaryFile>.fromOpaque(cookie!).takeUnretainedValue().seek(offset, whence)
            },
            { cookie in
                let file = Unmanaged<WorkbookTemporaryFile>.fromOpaque(cookie!).takeRetainedValue()
                return file.close()
            }
        )
        if stream == nil {
            Unmanaged<WorkbookTemporaryFile>.fromOpaque(cookie).release()
            Glibc.close(descriptor)
        }
        return stream
    }
}

// The executable's definition of libxlsxwriter's `lxw_tmpfile` (see `WorkbookTemporaryFile`).
@_cdecl("lxw_tmpfile")
public func audit_report_lxw_tmpfile(_ tmpdir: UnsafeMutablePointer<CChar>?) -> UnsafeMutablePointer<FILE>? {
    WorkbookTemporaryFile.open(in: tmpdir.map { String(cString: $0) })
}
