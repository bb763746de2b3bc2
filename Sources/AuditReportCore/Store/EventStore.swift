import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The collect server's durable store: appends received records to the day's segment and
/// answers only once they are on disk (one fsync for all requests waiting at that moment);
/// seals each day once it is over (see `StoreSeals`).
///
/// One writer thread does every write, so a request never blocks the server's event loops and
/// concurrent requests share an fsync. A failed write or fsync is cut back to the last
/// acknowledged byte, so the segment never holds a torn line in its middle.
public final class EventStore: @unchecked Sendable {
    public let layout: StoreLayout
    /// Free bytes kept on the store's file system; below it, requests get `StoreError.full`.
    public let reserveBytes: Int64
    /// Sealed days older than this many days are removed (nil: keep everything).
    public let retainDays: Int?
    public let statistics = StoreStatistics()
    /// What opening the store found and mended (torn lines cut, leftovers removed).
    public private(set) var recoveryNotes: [String] = []
    /// Called with each thing the sealing thread did or failed to do (for the server's log);
    /// given to `init`, since that thread starts there.
    let onSealNote: (@Sendable (String) -> Void)?
    let clock: @Sendable () -> Timestamp
    let seals: StoreSeals

    private struct Request {
        let endpoint: String
        let records: [[UInt8]]
        let done: @Sendable (Result<Void, StoreError>) -> Void
    }

    private let queue = NSCondition()
    /// The sealing thread sleeps on its own condition, so a signal for the writer never wakes it instead.
    private let sealerWake = NSCondition()
    private var pending: [Request] = []
    private var closing = false
    private let writerDone = DispatchSemaphore(value: 0)
    private let sealerDone = DispatchSemaphore(value: 0)
    private let segmentLock = NSLock()
    private var segment: (day: StoreLayout.Day, fd: Int32, length: Int64)?
    private var lockDescriptor: Int32 = -1
    private let sealInterval: Double

    /// Opens (creating) the store, mends what a crash left, and starts the writer and the
    /// sealing threads.
    /// - Throws: `StoreError.unusable` when the folder cannot be used or another server holds it.
    public init(directory: String, reserveBytes: Int64 = 64 << 20, retainDays: Int? = nil, sealInterval: Double = 60,
                clock: @escaping @Sendable () -> Timestamp = { Timestamp.now }, onSealNote: (@Sendable (String) -> Void)? = nil) throws {
        layout = StoreLayout(directory: directory)
        self.reserveBytes = reserveBytes
        self.retainDays = retainDays
        self.clock = clock
        self.sealInterval = sealInterval
        self.onSealNote = onSealNote
        seals = StoreSeals(layout: layout)
        try Durable.makeDirectories(layout.directory)
        lockDescriptor = open(layout.lockFile, O_CREAT | O_RDWR | O_CLOEXEC, 0o640)
        guard lockDescriptor >= 0 else { throw StoreError.unusable(path: layout.directory, reason: ByteStream.errnoText()) }
        if flock(lockDescriptor, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(lockDescriptor)
            throw StoreError.unusable(path: layout.directory, reason: "another collect server is using it")
        }
        guard access(layout.directory, W_OK) == 0 else {
            throw StoreError.unusable(path: layout.directory, reason: "not writable")
        }
        recoveryNotes = recover()
        let writer = Thread { [self] in
            writeLoop()
            writerDone.signal()
        }
        writer.name = "store-writer"
        writer.start()
        let sealer = Thread { [self] in
            sealLoop()
            sealerDone.signal()
        }
        sealer.name = "store-sealer"
        sealer.start()
    }

    deinit {
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
    }

    /// Stores the records of one request and returns once they are on disk.
    /// - Throws: `StoreError` when they could not be stored; then none of them is kept.
    public func append(endpoint: String, records: [[UInt8]]) async throws {
        let result: Result<Void, StoreError> = await withCheckedContinuation { continuation in
            enqueue(endpoint: endpoint, records: records) { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    /// The same, calling `done` from the writer thread.
    public func enqueue(endpoint: String, records: [[UInt8]], done: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        queue.lock()
        if closing {
            queue.unlock()
            done(.failure(.closed))
            return
        }
        pending.append(Request(endpoint: endpoint, records: records, done: done))
        queue.signal()
        queue.unlock()
    }

    /// Writes what is queued, stops the threads and closes the day's segment. Requests queued
    /// after this get `StoreError.closed`.
    public func close() {
        queue.lock()
        let first = !closing
        closing = true
        queue.broadcast()
        queue.unlock()
        guard first else { return }
        sealerWake.lock()
        sealerWake.broadcast()
        sealerWake.unlock()
        writerDone.wait()
        sealerDone.wait()
        segmentLock.lock()
        if let open = segment {
            _ = Durable.sync(open.fd)
            Glibc.close(open.fd)
            segment = nil
        }
        segmentLock.unlock()
        if lockDescriptor >= 0 {
            Glibc.close(lockDescriptor)
            lockDescriptor = -1
        }
    }

    private var isClosing: Bool {
        queue.lock()
        defer { queue.unlock() }
        return closing
    }

    /// Free bytes on the store's file system, nil when it cannot be told.
    public func freeBytes() -> Int64? {
        var info = statvfs()
        guard statvfs(layout.directory, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Whether a file can be created in the store now (for the health check).
    public func isWritable() -> Bool {
        access(layout.directory, W_OK) == 0
    }

    // MARK: - Writing

    private func writeLoop() {
        while true {
            queue.lock()
            while pending.isEmpty && !closing { queue.wait() }
            if pending.isEmpty {
                queue.unlock()
                return
            }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            queue.unlock()
            let result = write(batch)
            for request in batch { request.done(result) }
        }
    }

    private func write(_ batch: [Request]) -> Result<Void, StoreError> {
        let now = clock()
        let day = StoreLayout.Day(now)
        let stamp = Array("{\"collected_at\":\"\(now)\",\"endpoint\":\"".utf8)
        var bytes: [UInt8] = []
        var events = 0
        for request in batch {
            for record in request.records {
                bytes.append(contentsOf: stamp)
                bytes.append(contentsOf: request.endpoint.utf8)
                bytes.append(contentsOf: "\",\"record\":".utf8)
                bytes.append(contentsOf: record)
                bytes.append(contentsOf: "}\n".utf8)
                events += 1
            }
        }
        segmentLock.lock()
        defer { segmentLock.unlock() }
        if let open = segment, open.day != day {
            Glibc.close(open.fd)
            segment = nil
        }
        if segment == nil {
            let path = layout.openSegment(day)
            do {
                try Durable.makeDirectories((path as NSString).deletingLastPathComponent)
            } catch let error as StoreError {
                return .failure(error)
            } catch {
                return .failure(.writeFailed(path: path, reason: "\(error)"))
            }
            let existed = access(path, F_OK) == 0
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard fd >= 0 else { return .failure(.writeFailed(path: path, reason: ByteStream.errnoText())) }
            if !existed { Durable.syncDirectory((path as NSString).deletingLastPathComponent) }
            var info = stat()
            fstat(fd, &info)
            segment = (day, fd, Int64(info.st_size))
        }
        guard let open = segment else { return .failure(.closed) }
        let path = layout.openSegment(day)
        if reserveBytes > 0, let free = freeBytes(), free - Int64(bytes.count) < reserveBytes {
            statistics.count(failure: "store_full")
            return .failure(.full(path: layout.directory, freeBytes: free, reserve: reserveBytes))
        }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress, !Descriptor.writeAll(open.fd, base, raw.count) { failure = ByteStream.errnoText() }
        }
        let started = DispatchTime.now().uptimeNanoseconds
        if failure == nil && !Durable.sync(open.fd) { failure = "fsync: " + ByteStream.errnoText() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        if let failure {
            // Nothing of this batch may stay: cut back to the last acknowledged byte and reopen,
            // since after a failed fsync the file's cached state cannot be trusted.
            _ = ftruncate(open.fd, off_t(open.length))
            _ = Durable.sync(open.fd)
            Glibc.close(open.fd)
            segment = nil
            statistics.count(failure: "write_failed")
            return .failure(.writeFailed(path: path, reason: failure))
        }
        segment = (day, open.fd, open.length + Int64(bytes.count))
        statistics.stored(events: events, bytes: bytes.count, fsyncSeconds: seconds)
        return .success(())
    }

    // MARK: - Recovery and sealing

    /// Cuts torn last lines of open segments and removes half-written seal files.
    private func recover() -> [String] {
        var notes: [String] = []
        let fm = FileManager.default
        for segment in layout.segments() where !segment.sealed {
            let cut = Self.cutTornTail(segment.path)
            if cut > 0 {
                notes.append("\(segment.path): cut a torn last line of \(cut) bytes (a write that was never acknowledged)")
            }
        }
        for year in (try? fm.contentsOfDirectory(atPath: layout.directory)) ?? [] where year.count == 4 {
            for month in (try? fm.contentsOfDirectory(atPath: "\(layout.directory)/\(year)")) ?? [] {
                let folder = "\(layout.directory)/\(year)/\(month)"
                for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".partial") {
                    unlink("\(folder)/\(name)")
                    notes.append("\(folder)/\(name): removed an unfinished seal")
                }
            }
        }
        return notes
    }

    /// Truncates a file after its last line break. - Returns: the bytes cut.
    static func cutTornTail(_ path: String) -> Int64 {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return 0 }
        let size = Int64(info.st_size)
        var keep = size
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var position = size
        search: while position > 0 {
            let chunk = Int(min(Int64(buffer.count), position))
            position -= Int64(chunk)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, chunk, off_t(position)) }
            guard n == chunk else { return 0 }
            for i in stride(from: chunk - 1, through: 0, by: -1) where buffer[i] == 0x0A {
                keep = position + Int64(i) + 1
                break search
            }
            keep = position
        }
        guard keep < size else { return 0 }
        guard ftruncate(fd, off_t(keep)) == 0 else { return 0 }
        _ = Durable.sync(fd)
        return size - keep
    }

    private func sealLoop() {
        while true {
            sealPastDays()
            sealerWake.lock()
            if !isClosing { _ = sealerWake.wait(until: Date(timeIntervalSinceNow: sealInterval)) }
            sealerWake.unlock()
            if isClosing { return }
        }
    }

    /// Seals every open segment of a day that is over, then applies the retention.
    public func sealPastDays() {
        let today = StoreLayout.Day(clock())
        segmentLock.lock()
        if let open = segment, open.day < today {
            Glibc.close(open.fd)
            segment = nil
        }
        segmentLock.unlock()
        for segment in layout.segments() where !segment.sealed && segment.day < today {
            do {
                if let note = try seals.seal(segment.day, at: clock()) { onSealNote?(note) }
            } catch {
                onSealNote?("\(error)")
            }
        }
        if let retainDays {
            do {
                for note in try seals.remove(before: today - retainDays, at: clock()) { onSealNote?(note) }
            } catch {
                onSealNote?("\(error)")
            }
        }
    }
}

/// Counters of the store, read by the server's metrics.
public final class StoreStatistics: @unchecked Sendable {
    /// Upper bounds (seconds) of the fsync latency histogram's buckets.
    public static let fsyncBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    public struct Snapshot: Sendable {
        public var events: Int64 = 0
        public var bytes: Int64 = 0
        public var fsyncCount: Int64 = 0
        public var fsyncSeconds: Double = 0
        /// Cumulative counts per bucket of `fsyncBuckets`.
        public var fsyncBucketCounts: [Int64] = Array(repeating: 0, count: StoreStatistics.fsyncBuckets.count)
        public var failures: [String: Int64] = [:]
    }
    private let lock = NSLock()
    private var current = Snapshot()

    func stored(events: Int, bytes: Int, fsyncSeconds: Double) {
        lock.lock()
        current.events += Int64(events)
        current.bytes += Int64(bytes)
        current.fsyncCount += 1
        current.fsyncSeconds += fsyncSeconds
        for (i, bound) in Self.fsyncBuckets.enumerated() where fsyncSeconds <= bound { current.fsyncBucketCounts[i] += 1 }
        lock.unlock()
    }

    func count(failure: String) {
        lock.lock()
        current.failures[failure, default: 0] += 1
        lock.unlock()
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return current
    }
}
