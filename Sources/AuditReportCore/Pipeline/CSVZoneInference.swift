import Foundation

/// How the zone of a CSV export's zone-less times was decided, with the evidence.
public struct CSVZoneDecision: Equatable, Sendable {
    public enum How: String, Sendable {
        /// Given with `--input-time-zone`.
        case forced
        /// The candidate under which most of the export's events match the stream's.
        case inferred
        /// No stream overlaps the export (or none was read): the default zone, assumed.
        case assumed
    }

    /// Matches of one candidate zone.
    public struct Candidate: Equatable, Sendable {
        public var zone: String
        public var matches: Int
    }

    public var zone: TimeZone
    public var how: How
    /// Every candidate with its matches, best first (empty unless compared).
    public var candidates: [Candidate] = []
    /// Export rows compared (at most `CSVZoneInference.sampleLimit`).
    public var compared = 0
    /// The inputs whose times carry no zone.
    public var inputs: [Int] = []
}

/// Works out the zone of CSV export times that name none. Notion does not document the zone of
/// its export; a German admin's export is in Berlin time, another's in UTC. When a stream input
/// overlaps the export, the same action is in both: one event by the same person with the same
/// key (or a group holding it) at the same wall-clock second. Each candidate zone turns the
/// stream's instants into wall-clock times; the zone under which most events meet wins.
///
/// Cost: the first `sampleLimit` zone-less export rows are held (a few MB), and the stream
/// inputs are read once more before the run proper, stopping early once the evidence is clear.
/// Comparing wall-clock times, a time in the hour repeated when daylight saving ends matches
/// either of its instants.
struct CSVZoneInference {
    static let sampleLimit = 50_000
    /// The stream pass stops once the best candidate has this many matches.
    static let enoughMatches = 5_000

    let store: LocaleStore
    let inputs: [String]
    /// Zones to try, in order of preference when they tie; the first is the default.
    let candidates: [TimeZone]
    /// Bytes of a large stream file read from its end first (see `tail(of:bytes:)`).
    var tailBytes = 32 << 20
    /// Export rows sampled at most.
    var sampleLimit = CSVZoneInference.sampleLimit
    /// The stream pass stops once the best candidate has this many matches.
    var enoughMatches = CSVZoneInference.enoughMatches

    /// A wall-clock second, an actor and a key, as filed by one side of a match.
    struct Sample: Hashable {
        var second: Int64
        var actor: Deduplicator.ActorName
        var key: String
    }

    /// Returns nil when no input has zone-less times (nothing to decide).
    /// - Throws: `ReadError` of an input that cannot be read (the run would fail on it too).
    func run() throws -> CSVZoneDecision? {
        let quiet = DiagnosticsEngine()
        var samples = Set<Sample>()
        var compared = 0
        /// The wall-clock seconds the sample spans.
        var sampled: ClosedRange<Int64>?
        var zoneLessInputs: [Int] = []
        let utc = TimeZone(identifier: "UTC")!
        // Taken out of `self` once: read through `self` in the closures below, the whole
        // inference was copied out and destroyed again for every row and line.
        let catalog = store.catalog
        // Each key's matching worked out once (per event, it had been an eighth of the pre-pass).
        var matchings = Deduplicator.Matchings(catalog: catalog)
        let streams = inputs.indices.filter { Self.kind(of: inputs[$0]) == .stream }
        // Export rows are sampled where the streams are (an export oldest first would otherwise
        // give only rows from before the stream began, and a pass over the whole stream for
        // nothing). A wall-clock time is its instant shifted by at most 14 hours, so rows more
        // than 14 hours inside the span are within it under every zone: those are sampled. (With
        // the span widened instead, a busy month's sample was all from the hours before the
        // stream began: 4M events a month fill 50,000 rows in 9 hours, and nothing matched.)
        // A span of 28 hours or less is widened by 14 hours instead.
        let spans = streams.map { Self.span(of: inputs[$0], store: store) }
        // The streams' tails are read on a thread of their own while the export is sampled (the
        // other core was idle then): whether the sample reaches a tail is known only after it,
        // so a tail is read whether or not it is used.
        let tails = TailReading(inputs: streams.map { inputs[$0] }, store: store, tailBytes: tailBytes)
        // A run that needs no tail (no zone-less rows) stops the reading.
        defer { tails.cancel() }
        var window: ClosedRange<Int64>?
        if !spans.isEmpty, !spans.contains(where: { $0 == nil }) {
            let low = spans.map { $0!.lowerBound }.min()!, high = spans.map { $0!.upperBound }.max()!
            let shift: Int64 = 14 * 3600
            window = high - low > 2 * shift ? (low + shift)...(high - shift) : (low - shift)...(high + shift)
        }
        for (index, path) in inputs.enumerated() {
            guard let kind = Self.kind(of: path), kind == .export else { continue }
            var context = ReadContext(store: store, inputIndex: index, inputTimeZone: utc, diagnostics: quiet)
            var found = false
            // Rows outside the window are passed over before they are made into events (in an
            // export oldest first, a week of them can come before it).
            context.readsZoneLessRow = { civil in
                found = true
                // Once the sample is full one more row is read, so the reading stops.
                guard compared < sampleLimit else { return true }
                guard let window else { return true }
                return window.contains(Self.wallSecond(civil))
            }
            context.onZoneLessTime = { civil, event in
                guard compared < sampleLimit else { return nil }
                let second = Self.wallSecond(civil)
                compared += 1
                sampled = sampled.map { min($0.lowerBound, second)...max($0.upperBound, second) } ?? second...second
                let matching = matchings.of(event.key)
                for actor in Deduplicator.actorKeys(of: event) {
                    for key in matching.sought { samples.insert(Sample(second: second, actor: actor, key: key)) }
                }
                return nil
            }
            do {
                _ = try InputReader.read(path: path, context: context) { _ in
                    if compared >= sampleLimit { throw StopReading() }
                }
            } catch is StopReading {
            } catch is ReadError {
                // The run proper reports it.
            }
            if found { zoneLessInputs.append(index) }
        }
        guard !zoneLessInputs.isEmpty else { return nil }
        var decision = CSVZoneDecision(zone: candidates[0], how: .assumed, compared: compared, inputs: zoneLessInputs)
        guard !streams.isEmpty else { return decision }

        let resolvers = candidates.map { ZoneResolver(timeZone: $0) }
        var matches = [Int](repeating: 0, count: candidates.count)
        let count: (StreamEvent) throws -> Void = { event in
            let matching = event.matching
            let actors = event.actors
            for (c, zone) in resolvers.enumerated() {
                let civil = zone.civil(event.timestamp)
                let second = Self.wallSecond(civil)
                var hit = false
                for actor in actors where !hit {
                    for key in matching.filed where samples.contains(Sample(second: second, actor: actor, key: key)) {
                        hit = true
                        break
                    }
                }
                if hit { matches[c] += 1 }
            }
            if matches.max()! >= enoughMatches { throw StopReading() }
        }
        // The sample is the export's newest rows when it is newest first (as Notion exports),
        // and a stream file is oldest first: its end is where they meet. A large plain
        // JSON-lines stream is tried from its last `tailBytes` first when the sample reaches the
        // part of the stream's span they hold, and read whole (stopping once the evidence is
        // clear) otherwise or when that is not enough. (An export oldest first is sampled near
        // the stream's start: reading the end first would be a tail's worth for nothing.)
        var decided = false
        let reaching = streams.indices.filter {
            Self.sampleReachesTail(sampled: sampled, span: spans[$0], size: Self.size(of: inputs[streams[$0]]), tailBytes: tailBytes)
        }
        // No tail is waited for when the sample reaches none (an export oldest first).
        let waited = WaitLedger.shared.now()
        let tailEvents = reaching.isEmpty ? [] : tails.wait()
        WaitLedger.shared.add("zone inference waits for the tails", since: waited)
        for s in reaching where !decided {
            // Events up to the end of the tail or to a line it could not read, as a read of it
            // here would have counted them.
            guard let events = tailEvents[s] else { continue }
            do {
                for event in events { try count(event) }
            } catch is StopReading {
                decided = true
            } catch {}
        }
        if !decided {
            matches = [Int](repeating: 0, count: candidates.count)
            for index in streams {
                let context = ReadContext(store: store, inputIndex: index, inputTimeZone: utc, diagnostics: quiet)
                do {
                    _ = try InputReader.read(path: inputs[index], context: context) { try count(StreamEvent($0, matchings: &matchings)) }
                } catch is StopReading {
                    break
                } catch is ReadError {
                }
            }
        }
        decision.candidates = zip(candidates, matches).map { CSVZoneDecision.Candidate(zone: ZoneResolver.name($0.0), matches: $0.1) }
        // Best first; ties keep the order of preference.
        let order = candidates.indices.sorted { matches[$0] != matches[$1] ? matches[$0] > matches[$1] : $0 < $1 }
        decision.candidates = order.map { decision.candidates[$0] }
        guard let best = order.first, matches[best] > 0 else { return decision }
        decision.zone = candidates[best]
        decision.how = .inferred
        return decision
    }

    /// What matching needs of a stream event.
    struct StreamEvent {
        var timestamp: Timestamp
        var matching: Deduplicator.Matching
        var actors: UpToTwo<Deduplicator.ActorName>

        init(_ event: borrowing AuditEvent, matchings: inout Deduplicator.Matchings) {
            timestamp = event.timestamp
            matching = matchings.of(event.key)
            actors = Deduplicator.actorKeys(of: event)
        }
    }

    /// Reads the tails of stream files (`tail(of:bytes:)`) on a thread of its own: per file, its
    /// events up to the end or to a line that cannot be read, or nil for a file without a tail.
    /// Holds what matching needs of each event (a few MB for a 32 MB tail), not the tail.
    final class TailReading: @unchecked Sendable {
        private var events: [[StreamEvent]?] = []
        private let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var cancelled = false
        private struct Cancelled: Error {}

        init(inputs: [String], store: LocaleStore, tailBytes: Int) {
            let thread = Thread { [self] in
                var matchings = Deduplicator.Matchings(catalog: store.catalog)
                let context = ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: DiagnosticsEngine())
                for path in inputs {
                    if isCancelled { break }
                    guard let tail = CSVZoneInference.tail(of: path, bytes: tailBytes) else {
                        events.append(nil)
                        continue
                    }
                    var read: [StreamEvent] = []
                    var summary = ReadSummary(path: path, kind: .siemJSON)
                    try? SIEMJSONReader(reader: ByteReader(bytes: tail, path: path), context: context).read(into: &summary) {
                        if read.count % 4096 == 0, isCancelled { throw Cancelled() }
                        read.append(StreamEvent($0, matchings: &matchings))
                    }
                    events.append(read)
                }
                WaitLedger.shared.threadEnds("audit-report zone")
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.name = "audit-report zone"
            thread.start()
        }

        private var isCancelled: Bool {
            lock.lock()
            defer { lock.unlock() }
            return cancelled
        }

        /// Stops the reading at its next few thousand events (what it read is not used).
        func cancel() {
            lock.lock()
            cancelled = true
            lock.unlock()
        }

        /// Waits for the tails; one entry per input given.
        func wait() -> [[StreamEvent]?] {
            done.wait()
            done.signal()
            return events
        }
    }

    /// The span (UTC seconds) of a plain JSON-lines stream from its first and last lines, in
    /// either order; nil for a file whose span cannot be told so cheaply (gzip, one document).
    static func span(of path: String, store: LocaleStore) -> ClosedRange<Int64>? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        func bytes(at offset: Int, _ count: Int) -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            return n > 0 ? Array(buffer[0..<n]) : []
        }
        let head = bytes(at: 0, min(size, 1 << 16))
        guard head.first == 0x7B, SIEMJSONReader.isJSONLines(head), let firstEnd = head.firstIndex(of: 0x0A) else { return nil }
        var end = bytes(at: max(0, size - (1 << 16)), min(size, 1 << 16))
        while end.last == 0x0A || end.last == 0x0D { end.removeLast() }
        guard let lastStart = end.lastIndex(of: 0x0A) else { return nil }
        var times: [Int64] = []
        let context = ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: DiagnosticsEngine())
        for line in [Array(head[..<firstEnd]) + [0x0A], Array(end[(lastStart + 1)...]) + [0x0A]] {
            var summary = ReadSummary(path: path, kind: .siemJSON)
            try? SIEMJSONReader(reader: ByteReader(bytes: line, path: path), context: context).read(into: &summary) { times.append($0.timestamp.seconds) }
        }
        guard let low = times.min(), let high = times.max() else { return nil }
        return low...high
    }

    /// The whole lines of the last `tailBytes` of a plain (not compressed) UTF-8 JSON-lines file
    /// larger than twice that; nil for any other file.
    static func tail(of path: String, bytes tailBytes: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > 2 * tailBytes else { return nil }
        var head = [UInt8](repeating: 0, count: 1 << 16)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        head.removeSubrange(n...)
        // gzip, UTF-16 and a byte-order mark are left to the full read.
        guard head.first == 0x7B, SIEMJSONReader.isJSONLines(head) else { return nil }
        var tail = [UInt8](repeating: 0, count: tailBytes)
        let got = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(Int(info.st_size) - tailBytes)) }
        guard got == tailBytes, let newline = tail.firstIndex(of: 0x0A) else { return nil }
        return Array(tail[(newline + 1)...])
    }

    /// Whether a sample of export rows whose wall-clock seconds span `sampled` can meet a stream
    /// (spanning `span`, of `size` bytes, about evenly filled) in its last `tailBytes`: whether
    /// the sample's newest row comes, give or take 14 hours of zone, after the time the tail
    /// starts. True when any of these is not known.
    static func sampleReachesTail(sampled: ClosedRange<Int64>?, span: ClosedRange<Int64>?, size: Int?, tailBytes: Int) -> Bool {
        guard let sampled, let span, let size, size > 0 else { return true }
        let share = min(1, Double(tailBytes) / Double(size))
        let tailStart = span.upperBound - Int64(Double(span.upperBound - span.lowerBound) * share)
        return sampled.upperBound + 14 * 3600 >= tailStart
    }

    /// The size of a regular file, or nil.
    static func size(of path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// A wall-clock time as seconds, as if it were UTC (to compare wall-clock times).
    static func wallSecond(_ c: CivilDateTime) -> Int64 {
        Int64(Timestamp.daysFromCivil(year: c.year, month: c.month, day: c.day)) * 86_400 + Int64(c.hour * 3600 + c.minute * 60 + c.second)
    }

    enum Kind { case stream, export }

    /// A JSON input is a stream; a CSV one an export (tickets and Panther's CSV rows, whose
    /// times name their zone, simply give no zone-less rows). Nil for a file that cannot be read.
    static func kind(of path: String) -> Kind? {
        guard let stream = try? ByteStream(path: path), let reader = try? ByteReader(stream: stream) else { return nil }
        let first = reader.lookahead().first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        guard let first else { return nil }
        return first == 0x7B || first == 0x5B ? .stream : .export
    }

    private struct StopReading: Error {}
}
