import Foundation

/// Holds a run's events so they can be read back newest first, with memory bounded by the run
/// size: events are kept encoded; each full run is sorted and written to a temporary file, and
/// the runs are merged at the end (an external merge sort).
public final class EventSpool {
    /// Sort key and position of one encoded event in the current run.
    struct Entry {
        var milliseconds: Int64
        var input: Int32
        var line: Int64
        var offset: Int
        var length: Int

        /// Newest first; ties by input, then line, so the order never depends on the sort.
        @inline(__always)
        static func before(_ a: Entry, _ b: Entry) -> Bool {
            if a.milliseconds != b.milliseconds { return a.milliseconds > b.milliseconds }
            if a.input != b.input { return a.input < b.input }
            return a.line < b.line
        }
    }

    private let runBytes: Int
    private let directory: URL
    private var bytes: [UInt8] = []
    fileprivate var entries: [Entry] = []
    fileprivate var runFiles: [URL] = []
    /// Events added so far.
    public private(set) var count = 0

    /// - Parameters:
    ///   - runBytes: encoded bytes held in memory before a run is written out.
    ///   - temporaryDirectory: where run files go (they are removed when the spool is done).
    /// The start of a sort run's file name; the process id and `-` follow.
    static let runPrefix = "audit-report-run-"

    public init(runBytes: Int = 48 << 20, temporaryDirectory: URL) {
        self.runBytes = runBytes
        directory = temporaryDirectory
    }

    deinit {
        for url in runFiles {
            try? FileManager.default.removeItem(at: url)
            TemporaryFiles.unregister(url.path)
        }
    }

    /// Adds an event.
    /// - Throws: `OutputError` when a run cannot be written.
    public func add(_ event: AuditEvent) throws {
        let start = bytes.count
        EventCodec.encode(event, into: &bytes)
        entries.append(Entry(milliseconds: event.timestamp.milliseconds, input: Int32(event.source.input), line: Int64(event.source.line), offset: start, length: bytes.count - start))
        count += 1
        if bytes.count >= runBytes { try spill() }
    }

    /// Number of runs written to disk so far.
    public var spilledRuns: Int { runFiles.count }

    fileprivate func spill() throws {
        entries.sort(by: Entry.before)
        if runFiles.isEmpty {
            // Sort runs of a run killed with SIGKILL (hundreds of MB) are removed here.
            TemporaryFiles.removeStale(in: directory.path, prefix: Self.runPrefix)
        }
        let url = directory.appendingPathComponent("\(Self.runPrefix)\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).bin")
        runFiles.append(url)
        let file = try OutputFile(path: url.path)
        bytes.withUnsafeBytes { raw in
            for e in entries {
                var length = UInt32(e.length).littleEndian
                withUnsafeBytes(of: &length) { file.write($0) }
                file.write(UnsafeRawBufferPointer(rebasing: raw[e.offset..<e.offset + e.length]))
            }
        }
        try file.close()
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// Removes the run files and what is held in memory.
    func discard() {
        for url in runFiles {
            try? FileManager.default.removeItem(at: url)
            TemporaryFiles.unregister(url.path)
        }
        runFiles.removeAll()
        bytes = []
        entries = []
    }

    /// Hands every event to `body`, newest first, then empties the spool.
    /// - Throws: errors of reading the runs back, and of `body`.
    public func drain(_ body: (consuming AuditEvent) throws -> Void) throws {
        defer { discard() }
        if runFiles.isEmpty {
            entries.sort(by: Entry.before)
            let strings = StringInterner()
            try bytes.withUnsafeBytes { raw in
                for e in entries {
                    try body(EventCodec.decode(UnsafeRawBufferPointer(rebasing: raw[e.offset..<e.offset + e.length]), strings: strings))
                }
            }
            return
        }
        if !entries.isEmpty { try spill() }
        bytes = []
        entries = []
        try RunMerger(files: runFiles).merge(body)
    }
}

extension EventSpool {
    /// Hands the events of several spools to `body` as one newest-first stream (ties by input
    /// and line, as within one spool), then empties them.
    static func drain(_ spools: [EventSpool], _ body: (consuming AuditEvent) throws -> Void) throws {
        if spools.count == 1 { return try spools[0].drain(body) }
        defer { for spool in spools { spool.discard() } }
        var files: [URL] = []
        for spool in spools {
            if !spool.entries.isEmpty { try spool.spill() }
            files += spool.runFiles
        }
        try RunMerger(files: files).merge(body)
    }
}

/// Merges sorted run files into one newest-first stream with a binary heap of run heads. The
/// heap holds only each head's sort key; the events stay in their run's slot, so sifting moves
/// a few integers, not an event's two dozen strings (whose copies were a tenth of the merge).
struct RunMerger {
    let files: [URL]

    /// A run's head: its event's sort key (newest first, ties by input and line, then run).
    struct Head {
        var milliseconds: Int64
        var input: Int
        var line: Int
        var run: Int

        init(_ event: AuditEvent, run: Int) {
            milliseconds = event.timestamp.milliseconds
            input = event.source.input
            line = event.source.line
            self.run = run
        }

        @inline(__always)
        static func before(_ a: Head, _ b: Head) -> Bool {
            if a.milliseconds != b.milliseconds { return a.milliseconds > b.milliseconds }
            if a.input != b.input { return a.input < b.input }
            if a.line != b.line { return a.line < b.line }
            return a.run < b.run
        }
    }

    func merge(_ body: (consuming AuditEvent) throws -> Void) throws {
        // One table for all runs: the same people and pages recur in every run.
        let strings = StringInterner()
        let readers = try files.map { try RunReader(path: $0.path, strings: strings) }
        var events = [AuditEvent?](repeating: nil, count: readers.count)
        var heap: [Head] = []
        heap.reserveCapacity(readers.count)
        func siftUp(_ index: Int) {
            var i = index
            while i > 0 {
                let parent = (i - 1) / 2
                guard Head.before(heap[i], heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        }
        func siftDown(_ index: Int) {
            var i = index
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var best = i
                if l < heap.count && Head.before(heap[l], heap[best]) { best = l }
                if r < heap.count && Head.before(heap[r], heap[best]) { best = r }
                if best == i { return }
                heap.swapAt(i, best)
                i = best
            }
        }
        for run in readers.indices {
            if let e = try readers[run].next() {
                heap.append(Head(e, run: run))
                events[run] = e
                siftUp(heap.count - 1)
            }
        }
        while let top = heap.first {
            let run = top.run
            // Taken out of its slot, so the slot's next event does not copy it.
            let event = events[run].take()!
            try body(consume event)
            if let next = try readers[run].next() {
                heap[0] = Head(next, run: run)
                events[run] = next
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }
}

/// Reads length-prefixed encoded events back from a run file.
final class RunReader {
    private let stream: ByteStream
    private var buffer: [UInt8] = []
    private var position = 0
    private var chunk: UnsafeMutablePointer<UInt8>
    private let chunkSize = 1 << 16

    private let strings: StringInterner?

    init(path: String, strings: StringInterner? = nil) throws {
        self.strings = strings
        stream = try ByteStream(path: path, chunkSize: 1 << 16, binary: true)
        chunk = .allocate(capacity: chunkSize)
    }

    deinit { chunk.deallocate() }

    /// The next event, or nil at the end of the run.
    func next() throws -> AuditEvent? {
        guard try fill(4) else { return nil }
        let length = buffer.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt32.self))) }
        position += 4
        guard try fill(length) else {
            throw OutputError.writeFailed(path: stream.path, reason: "temporary run file is truncated")
        }
        let event = buffer.withUnsafeBytes { EventCodec.decode(UnsafeRawBufferPointer(rebasing: $0[position..<position + length]), strings: strings) }
        position += length
        return event
    }

    /// Makes `count` bytes available at `position`.
    private func fill(_ count: Int) throws -> Bool {
        if buffer.count - position >= count { return true }
        buffer.removeSubrange(0..<position)
        position = 0
        while buffer.count < count {
            let n = try stream.read(into: chunk, capacity: chunkSize)
            if n == 0 { return false }
            buffer.append(contentsOf: UnsafeBufferPointer(start: chunk, count: n))
        }
        return true
    }
}
