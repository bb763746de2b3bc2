import Foundation

/// Read → Normalize → (period filter) → Sort → Deduplicate: streams every input into the spool,
/// then hands the merged events on newest first. Memory is bounded by the spool's run size and
/// by what is counted per key, not by the number of events.
///
/// With `Options.streams`, inputs that are already newest first (Notion's export is) are not
/// spooled: each is read on a thread of its own while its events are handed on, through a
/// window that puts the few out of place back in order (`OrderedMerge`), so reading overlaps
/// writing. A stream input (JSON lines) found oldest first, as a SIEM stream is delivered, is
/// read from its last line back (`InputReader.readBackward`), which makes it newest first.
/// Whether the inputs are so is decided on their first events; an input found out of
/// order later makes `emit` throw `NotInOrder`, and the caller makes its run again without
/// `streams`. Until `emit` ends, such a run holds back its diagnostics engine's output
/// (`DiagnosticsEngine.hold`): all of it, also what the caller reports while events are handed
/// on, is dropped with `NotInOrder`, so a run made again reports each diagnostic once.
public final class EventPipeline {
    /// What the run reads and how.
    public struct Options {
        public var inputs: [String]
        public var inputTimeZone: TimeZone
        /// Only events of this period are reported; the rest are counted as outside it.
        public var period: ReportPeriod?
        /// Events of this period are kept too (for comparisons), though counted as outside.
        public var comparisonPeriod: ReportPeriod?
        public var temporaryDirectory: URL
        public var runBytes: Int
        /// Zones to try for CSV times that name none (the first is the default); nil when
        /// `inputTimeZone` is given and forced.
        public var zoneCandidates: [TimeZone]?
        /// The inputs' text encoding, when given (`--input-encoding`); else worked out per file.
        public var inputEncoding: TextEncoding?
        /// Hand the events on as they are read when every input is newest first (see the type).
        public var streams = false
        /// Diagnostics an input read from its end may give (all are held, to be given in the
        /// order of its lines); past them, the run is made again, sorting.
        public var maxBackwardDiagnostics = 50_000

        public init(
            inputs: [String], inputTimeZone: TimeZone = TimeZone(identifier: "UTC")!, zoneCandidates: [TimeZone]? = nil, period: ReportPeriod? = nil,
            comparisonPeriod: ReportPeriod? = nil, temporaryDirectory: URL = FileManager.default.temporaryDirectory, runBytes: Int = 48 << 20,
            inputEncoding: TextEncoding? = nil
        ) {
            self.inputEncoding = inputEncoding
            self.inputs = inputs
            self.zoneCandidates = zoneCandidates
            self.inputTimeZone = inputTimeZone
            self.period = period
            self.comparisonPeriod = comparisonPeriod
            self.temporaryDirectory = temporaryDirectory
            self.runBytes = runBytes
        }
    }

    /// One input's part of the run.
    public struct InputSummary: Equatable, Sendable {
        public var read: ReadSummary
        /// Duplicates of events in the period, dropped.
        public var duplicatesDropped = 0
        /// Events outside the report period (not in the report), duplicates among them included.
        public var outsidePeriod = 0
        /// Events of this input in the report (with the fields of their duplicates merged in).
        public var inPeriod = 0
        /// The input's first and last event of all it holds (also outside the period).
        public var first: Timestamp?
        public var last: Timestamp?
        /// Events read per hour of the period (before duplicates are dropped): the input's rhythm.
        public var hourly: [Int32] = []

        /// Every event read is accounted for once: `read.events == inPeriod + outsidePeriod + duplicatesDropped`.
        public var reconciles: Bool { read.events == inPeriod + outsidePeriod + duplicatesDropped }
    }

    /// An input of a streamed run (`Options.streams`) was not newest first after all: the run
    /// must be made again without streaming (nothing it handed on may be kept).
    public struct NotInOrder: Error, CustomStringConvertible {
        public var path: String
        public var line: Int
        /// What was found, for the note that says why the run is made again.
        public var what = "not newest first from here on"
        public var description: String { "\(path):\(line): \(what)" }
    }

    /// Makes a run (`attempt`, told whether to stream) streaming when `streams`; when it throws
    /// `NotInOrder`, notes why and makes it again, sorting. The attempt's files must be
    /// temporary ones, which it leaves behind when it throws.
    public static func streamingOrSorting<T>(_ streams: Bool, diagnostics: DiagnosticsEngine, _ attempt: (_ streams: Bool) throws -> T) throws -> T {
        do {
            return try attempt(streams)
        } catch let error as NotInOrder {
            try diagnostics.emit(Diagnostic(.note, file: error.path, line: error.line, "\(error.what); read again and sorted"))
            return try attempt(false)
        }
    }

    /// Events read from each input before a streamed run is decided on.
    static let streamLookahead = 4096
    /// Events per input a streamed run holds to put those out of place back in order.
    static let streamWindow = 1024

    /// An event key no catalogue knows: how often and when first seen.
    public struct UnmappedKey: Equatable, Sendable {
        public var key: String
        public var count: Int
        public var firstSeen: Timestamp
    }

    public let store: LocaleStore
    /// What the run reads and how (set before `read`).
    public var options: Options
    public let diagnostics: DiagnosticsEngine
    public private(set) var inputs: [InputSummary] = []
    /// Access-request tickets read from ticket exports (a ticket database is small).
    public private(set) var tickets: [Ticket] = []
    /// Whether ticket exports are accepted (a report's access-request section); an error otherwise.
    public var acceptsTickets = false
    /// Names of unknown CSV columns over all inputs, in order of first appearance.
    public private(set) var extraColumns: [String] = []
    /// Events handed on after deduplication.
    public private(set) var emitted = 0
    /// How the zone of zone-less CSV times was decided; nil when no input had such times.
    public private(set) var csvZone: CSVZoneDecision?
    private var readZone: TimeZone
    private var unmapped: [String: UnmappedKey] = [:]
    /// Events of unmapped keys past the first `maxUnmapped` distinct ones.
    public private(set) var unmappedBeyondLimit = 0
    /// One spool, or one per input when they are read at the same time.
    private var spools: [EventSpool]
    /// The run's readers and merge when its events are handed on as read (`Options.streams`).
    private var streamed: StreamedRun?
    /// Whether the CSV zone has been decided (a run that tried streaming decides it first).
    private var zoneDecided = false
    /// Called with the file bytes read so far over all inputs and their total size.
    public var onProgress: ((Int64, Int64) -> Void)?

    public init(store: LocaleStore, options: Options, diagnostics: DiagnosticsEngine) {
        self.store = store
        self.options = options
        self.diagnostics = diagnostics
        spools = [EventSpool(runBytes: options.runBytes, temporaryDirectory: options.temporaryDirectory)]
        readZone = options.inputTimeZone
    }

    deinit {
        // A run dropped before `emit` (an output that could not be opened) stops its readers,
        // and shows what they found.
        if let streamed {
            streamed.stop()
            try? diagnostics.absorbBeforeHeld([streamed.zoneNotes] + streamed.engines)
            diagnostics.release()
        }
    }

    /// Whether `read` found every input newest first and `emit` hands events on as they are
    /// read (`Options.streams`); the number of events is then not known before they are.
    public var isStreamed: Bool { streamed != nil }

    /// Decides the zone of zone-less CSV times before the run proper reads them (see
    /// `CSVZoneInference`), and says so.
    private func decideCSVZone(into diagnostics: DiagnosticsEngine) throws {
        guard !zoneDecided else { return }
        zoneDecided = true
        guard let candidates = options.zoneCandidates, !candidates.isEmpty else { return }
        var unique: [TimeZone] = []
        for zone in [options.inputTimeZone] + candidates where !unique.contains(where: { ZoneResolver.name($0) == ZoneResolver.name(zone) }) { unique.append(zone) }
        guard let d = try CSVZoneInference(store: store, inputs: options.inputs, candidates: unique).run() else { return }
        csvZone = d
        readZone = d.zone
        for input in d.inputs {
            let message: String
            switch d.how {
            case .inferred:
                let others = d.candidates.dropFirst().map { "\($0.zone): \($0.matches)" }.joined(separator: ", ")
                message = "its times name no zone; read as \(ZoneResolver.name(d.zone)), under which \(d.candidates[0].matches) stream events match its rows" + (others.isEmpty ? "" : " (\(others))") + "; --input-time-zone sets the zone"
            case .assumed, .forced:
                message = "its times name no zone and no stream input overlaps them; read as \(ZoneResolver.name(d.zone)) (assumed); --input-time-zone sets the zone"
            }
            try diagnostics.emit(Diagnostic(.note, file: options.inputs[input], line: 0, message))
        }
    }

    /// Reads every input into the spool; with several inputs and cores, the inputs are read at
    /// the same time, each into a spool of its own, and their diagnostics are replayed in input
    /// order, so the run reports exactly what reading them one after the other would. Stream
    /// inputs (JSON), whose times always name their zone, are read while the zone of the CSV
    /// exports' times is still being decided; the exports wait for it.
    /// - Throws: `ReadError`, `StrictModeError`, `OutputError` (spool), of the first input that failed.
    public func read() throws {
        // A pipe or device cannot be read twice: the zone check, the kind check and the
        // manifest's digest each read an input again. (Its first bytes would be gone by the run proper.)
        for path in options.inputs {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG, (info.st_mode & S_IFMT) != S_IFDIR {
                throw ReadError.cannotOpen(path: path, reason: "not a regular file (a pipe or a device); an input is read more than once, so save it to a file first")
            }
        }
        let sizes = options.inputs.map { path in (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0 }
        let total = sizes.reduce(0, +)
        if options.streams, options.inputs.count <= 8, try startStreaming(total: total) { return }
        let parallel = options.inputs.count > 1 && ProcessInfo.processInfo.activeProcessorCount > 1
        if !parallel {
            try decideCSVZone(into: diagnostics)
            var done: Int64 = 0
            for index in options.inputs.indices {
                let before = done
                let part = try readInput(index, zone: readZone, add: spools[0].add, diagnostics: diagnostics) { [onProgress] in onProgress?(before + $0, total) }
                absorb(part)
                done += sizes[index]
            }
            Self.releaseFreedMemory()
            return
        }
        // One spool per input, each with a share of the run size, so memory stays as it was.
        let share = max(options.runBytes / options.inputs.count, 1 << 20)
        spools = options.inputs.map { _ in EventSpool(runBytes: share, temporaryDirectory: options.temporaryDirectory) }
        let progress = ReadProgress(count: options.inputs.count, total: total, report: onProgress)
        let results = ParallelResults<Result<InputPart, Error>>(count: options.inputs.count)
        let engines = options.inputs.map { _ in DiagnosticsEngine(strict: diagnostics.strict, limitPerMessage: diagnostics.limitPerMessage) }
        // Each task touches only its own input, spool and engine; the pipeline's settings are
        // only read while the tasks run.
        // The zone decision runs once, in the first task that needs it; it writes `readZone`,
        // `csvZone` and its notes before any export is read, and no stream task touches them.
        let zone = Once { [self] in try decideCSVZone(into: diagnostics) }
        let streams = options.inputs.map { CSVZoneInference.kind(of: $0) == .stream }
        let shared = Unchecked((pipeline: self, spools: spools))
        DispatchQueue.concurrentPerform(iterations: options.inputs.count) { index in
            let (pipeline, spools) = shared.value
            let outcome = Result {
                // A stream never reads `readZone` (its times name their zone), so it does not race the decision.
                guard streams[index] else {
                    try zone.run()
                    return try pipeline.readInput(index, zone: pipeline.readZone, add: spools[index].add, diagnostics: engines[index]) { progress.update(index, $0) }
                }
                return try pipeline.readInput(index, zone: pipeline.options.inputTimeZone, add: spools[index].add, diagnostics: engines[index]) { progress.update(index, $0) }
            }
            results.set(index, outcome)
        }
        // As when it ran first: its failure is the run's, and its notes come before the inputs'.
        try zone.run()
        for index in options.inputs.indices {
            try diagnostics.absorb(engines[index])
            absorb(try results.get(index)!.get())
        }
        Self.releaseFreedMemory()
    }

    /// Hands the memory the readers freed (parse buffers, the reading threads' heaps) back to
    /// the system, so that what is counted afterwards, on other threads, does not come on top of it.
    static func releaseFreedMemory() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }

    /// A streamed run's parts: its readers, their diagnostics (the zone's notes and each
    /// input's, given when `emit` ends, before those of handing events on), and the merge.
    private final class StreamedRun {
        var merge: OrderedMerge
        let streams: [InputStream<InputPart>]
        let zoneNotes: DiagnosticsEngine
        let engines: [DiagnosticsEngine]

        init(merge: OrderedMerge, streams: [InputStream<InputPart>], zoneNotes: DiagnosticsEngine, engines: [DiagnosticsEngine]) {
            self.merge = merge
            self.streams = streams
            self.zoneNotes = zoneNotes
            self.engines = engines
        }

        func stop() {
            for stream in streams { stream.cancel() }
        }
    }

    /// Starts a reader per input and reads each one's first `streamLookahead` events. When
    /// each input is newest first (within `streamWindow`), the readers go on for `emit`;
    /// otherwise they are stopped (what they read is read again). Stream inputs (JSON), whose
    /// times name their zone, are tried first: one that is oldest first (as delivered) ends the
    /// attempt before the CSV zone is decided, which the spooled run does beside reading them.
    /// - Returns: whether the run is streamed.
    private func startStreaming(total: Int64) throws -> Bool {
        let engine = { DiagnosticsEngine(strict: self.diagnostics.strict, limitPerMessage: self.diagnostics.limitPerMessage) }
        let progress = ReadProgress(count: options.inputs.count, total: total, report: onProgress)
        var engines = options.inputs.map { _ in engine() }
        let reading = InputReading(store: store, options: options, acceptsTickets: acceptsTickets)
        var streams: [InputStream<InputPart>?] = options.inputs.map { _ in nil }
        var prefixes: [[AuditEvent]] = options.inputs.map { _ in [] }
        var backward = options.inputs.map { _ in false }
        func start(_ index: Int, zone: TimeZone) {
            let fromEnd = backward[index]
            let diagnostics = engines[index]
            // Named apart from the forward attempt it replaces (the wait ledger lists both).
            streams[index] = InputStream<InputPart>(name: "audit-report reader \(index + 1)\(fromEnd ? " from its end" : "")") { feed in
                try reading.read(index, zone: zone, add: feed.send, diagnostics: diagnostics, stop: feed.check, backward: fromEnd) { progress.update(index, $0) }
            }
        }
        /// Reads the input's first events; whether it may be streamed. A stream input that
        /// is oldest first (a SIEM stream, as delivered) is read again from its end.
        func look(_ index: Int, zone: TimeZone) -> Bool {
            let stream = streams[index]!
            var prefix: [AuditEvent] = []
            // A reader's error is left to the spooled run, which reports it as it always does.
            do {
                while prefix.count < Self.streamLookahead, let event = try stream.next() { prefix.append(event) }
            } catch { return false }
            // A ticket export (read whole before the first event) is among the inputs a
            // spooled run knows of before it hands events on.
            if prefix.count < Self.streamLookahead, stream.outcome?.summary.read.kind == .ticketsCSV { return false }
            if OrderedMerge.passes(prefix, window: Self.streamWindow) {
                prefixes[index] = prefix
                return true
            }
            // In strict mode the first warning ends the run: the one met first reading forward.
            guard !backward[index], !diagnostics.strict, OrderedMerge.passes(prefix.reversed(), window: Self.streamWindow),
                InputReader.readsBackward(path: options.inputs[index], encoding: options.inputEncoding)
            else { return false }
            // What it found reading forward is found again.
            stream.cancel()
            engines[index] = engine()
            backward[index] = true
            start(index, zone: zone)
            return look(index, zone: zone)
        }
        func stop() {
            for stream in streams { stream?.cancel() }
        }
        let isStream = options.inputs.map { CSVZoneInference.kind(of: $0) == .stream }
        let first = options.inputs.indices.filter { isStream[$0] }
        let then = options.inputs.indices.filter { !isStream[$0] }
        for index in first { start(index, zone: options.inputTimeZone) }
        for index in first where !look(index, zone: options.inputTimeZone) {
            stop()
            return false
        }
        let zoneNotes = engine()
        let deciding = WaitLedger.shared.now()
        defer { WaitLedger.shared.add("(phase) the CSV zone decided", since: deciding) }
        do { try decideCSVZone(into: zoneNotes) } catch {
            stop()
            try diagnostics.absorb(zoneNotes)
            throw error
        }
        for index in then { start(index, zone: readZone) }
        for index in then where !look(index, zone: readZone) {
            stop()
            try diagnostics.absorb(zoneNotes)
            return false
        }
        let readers = streams.map { $0! }
        // The inputs' own columns as their first events have them (an export's rows all have
        // its header's); `emit` checks them against all events' (a spooled run knows them
        // before it hands any event on).
        var extras: [String] = []
        var seen = Set<String>()
        for prefix in prefixes {
            guard let event = prefix.first(where: { $0.ambiguity != .later }) else { continue }
            for extra in event.extras where seen.insert(extra.name).inserted { extras.append(extra.name) }
        }
        extraColumns = extras
        streamed = StreamedRun(
            merge: OrderedMerge(streams: readers, prefixes: prefixes, paths: options.inputs, window: Self.streamWindow),
            streams: readers, zoneNotes: zoneNotes, engines: engines)
        // Until `emit` ends, what the run reports is held back: a run made again (after
        // `NotInOrder`) reports each diagnostic once, and the readers' come first.
        diagnostics.hold()
        return true
    }

    /// What one input gave besides its events (which are in its spool).
    struct InputPart {
        var summary: InputSummary
        var extraColumns: [String]
        var tickets: [Ticket]
        /// Whether some of its times named no zone.
        var zoneLess: Bool
    }

    private func absorb(_ part: InputPart) {
        if part.zoneLess && csvZone == nil && options.zoneCandidates == nil {
            csvZone = CSVZoneDecision(zone: options.inputTimeZone, how: .forced)
        }
        if part.zoneLess, csvZone?.how == .forced, !(csvZone?.inputs.contains(inputs.count) ?? true) { csvZone?.inputs.append(inputs.count) }
        inputs.append(part.summary)
        for name in part.extraColumns where !extraColumns.contains(name) { extraColumns.append(name) }
        tickets += part.tickets
    }

    private func readInput(_ index: Int, zone: TimeZone, add: (consuming AuditEvent) throws -> Void, diagnostics: DiagnosticsEngine, progress: @escaping (Int64) -> Void) throws -> InputPart {
        try InputReading(store: store, options: options, acceptsTickets: acceptsTickets).read(index, zone: zone, add: add, diagnostics: diagnostics, progress: progress)
    }

    /// What reading an input needs of the pipeline, apart from it (a streamed run's reader
    /// threads hold this, not the pipeline).
    private struct InputReading: @unchecked Sendable {
        let store: LocaleStore
        let options: Options
        let acceptsTickets: Bool

        /// - Parameter stop: asked every 4,096 events read, kept or not; reading ends (with its
        ///   error) when it throws (a streamed run's reader whose run went another way).
        /// - Parameter backward: read the input from its end (`InputReader.readBackward`); its
        ///   diagnostics are then given in the order of its lines, as read forward.
        func read(
            _ index: Int, zone: TimeZone, add: (consuming AuditEvent) throws -> Void, diagnostics: DiagnosticsEngine, stop: (() throws -> Void)? = nil, backward: Bool = false,
            progress: @escaping (Int64) -> Void
        ) throws -> InputPart {
            let path = options.inputs[index]
            // Read from the end, the diagnostics come last line first: all are kept (up to a
            // bound), to be given in the lines' order at the end.
            let found = backward ? DiagnosticsEngine(strict: false, limitPerMessage: .max) : diagnostics
            var context = ReadContext(store: store, inputIndex: index, inputTimeZone: zone, diagnostics: found)
            context.inputEncoding = options.inputEncoding
            context.hashesInput = true
            var zoneLess = false
            context.onZoneLessTime = { _, _ in
                zoneLess = true
                return nil
            }
            var tickets: [Ticket] = []
            if acceptsTickets { context.onTicket = { tickets.append($0) } }
            context.onProgress = progress
            var outside = 0
            var first = Timestamp(milliseconds: .max)
            var last = Timestamp(milliseconds: .min)
            var hourly = [Int32](repeating: 0, count: options.period.map { Int(($0.end.milliseconds - $0.start.milliseconds + 3_599_999) / 3_600_000) } ?? 0)
            let periodStart = options.period?.start.milliseconds ?? 0
            var extraSeen = Set<String>()
            var extraColumns: [String] = []
            let period = options.period
            let comparison = options.comparisonPeriod
            var seen = 0
            let take: (consuming AuditEvent) throws -> Void = { event in
                seen &+= 1
                if seen & 0xFFF == 0, let stop { try stop() }
                if event.ambiguity != .later {
                    first = min(first, event.timestamp)
                    last = max(last, event.timestamp)
                    let hour = Int((event.timestamp.milliseconds - periodStart) / 3_600_000)
                    if event.timestamp.milliseconds >= periodStart && hour < hourly.count { hourly[hour] &+= 1 }
                }
                if event.ambiguity == .later {
                    // The other instant of a row's repeated-hour time: not an event read of its own.
                    if period?.contains(event.timestamp) ?? true || comparison?.contains(event.timestamp) ?? false { try add(event) }
                    return
                }
                if let period, !period.contains(event.timestamp) {
                    outside += 1
                    guard let comparison, comparison.contains(event.timestamp) else { return }
                }
                for extra in event.extras where !extraSeen.contains(extra.name) {
                    extraSeen.insert(extra.name)
                    extraColumns.append(extra.name)
                }
                try add(event)
            }
            let summary: ReadSummary
            if backward {
                func check() throws {
                    try stop?()
                    let limit = options.maxBackwardDiagnostics
                    if found.diagnostics.count > limit {
                        throw NotInOrder(path: path, line: 0, what: "more than \(limit) diagnostics to give in order, read from its end")
                    }
                }
                do {
                    summary = try InputReader.readBackward(path: path, context: context, stop: check, take)
                } catch let unfit as BackwardLines.Unfit {
                    throw NotInOrder(path: unfit.path, line: unfit.line, what: "\(unfit.what), not read from its end")
                }
                for diagnostic in BackwardLines.inLineOrder(found.diagnostics) { try diagnostics.emit(diagnostic) }
            } else {
                summary = try InputReader.read(path: path, context: context, take)
            }
            var input = InputSummary(read: summary, outsidePeriod: outside)
            if first <= last {
                input.first = first
                input.last = last
            }
            input.hourly = hourly
            return InputPart(summary: input, extraColumns: extraColumns, tickets: tickets, zoneLess: zoneLess)
        }
    }

    /// Hands the merged, deduplicated events to `body`, newest first; warns once per unmapped key.
    /// Each event is `body`'s to keep (moved, not copied, from the merge to `body`).
    public func emit(_ body: (consuming AuditEvent) throws -> Void) throws {
        var dedup = Deduplicator(catalog: store.catalog, period: options.period)
        var inPeriod = [Int](repeating: 0, count: options.inputs.count)
        do {
            try withoutActuallyEscaping(body) { body in
                let period = options.period
                let handle: (consuming AuditEvent) throws -> Void = { event in
                    if period?.contains(event.timestamp) ?? true {
                        try self.noteUnmapped(event)
                        if event.source.input < inPeriod.count { inPeriod[event.source.input] += 1 }
                    }
                    self.emitted += 1
                    try body(consume event)
                }
                if let streamed {
                    try streamed.merge.merge { event in try dedup.add(consume event, emit: handle) }
                } else {
                    try EventSpool.drain(spools) { event in try dedup.add(consume event, emit: handle) }
                }
                try dedup.finish(emit: handle)
            }
            if let streamed { try finish(streamed) }
        } catch {
            if let streamed {
                self.streamed = nil
                streamed.stop()
                if error is NotInOrder {
                    diagnostics.discardHeld()
                } else {
                    try? diagnostics.absorbBeforeHeld([streamed.zoneNotes] + streamed.engines)
                    diagnostics.release()
                }
            }
            throw error
        }
        if streamed != nil {
            streamed = nil
            diagnostics.release()
        }
        for second in dedup.overfullSeconds.prefix(5) {
            try diagnostics.emit(Diagnostic(file: "", line: 0, "more than \(Deduplicator.windowLimit) events in the one second \(Timestamp(milliseconds: second * 1000)); duplicates across them may not all be found"))
        }
        for (input, count) in dedup.droppedByInput { inputs[input].duplicatesDropped = count }
        for (input, count) in inPeriod.enumerated() { inputs[input].inPeriod = count }
    }

    /// Unmapped keys tracked one by one; events of further ones are only counted.
    public static let maxUnmapped = 10_000

    /// Keys a catalogue knows, by their identity (asked for every event).
    private var mappedKeys = TextIdentityCache<Bool>(slots: 512)

    /// A streamed run's end: every reader has ended (the merge took each one's last event).
    /// What they read besides events is taken in, and their diagnostics come before those of
    /// handing events on (as in a spooled run).
    /// - Throws: `NotInOrder` when the inputs' own columns are not those their first events had.
    private func finish(_ run: StreamedRun) throws {
        let parts = run.streams.map { $0.outcome! }
        var columns: [String] = []
        var seen = Set<String>()
        for part in parts {
            for name in part.extraColumns where seen.insert(name).inserted { columns.append(name) }
        }
        guard columns == extraColumns else {
            throw NotInOrder(path: options.inputs[0], line: 0, what: "columns of its own past its first \(Self.streamLookahead) events")
        }
        extraColumns = []
        try diagnostics.absorbBeforeHeld([run.zoneNotes] + run.engines)
        for part in parts { absorb(part) }
    }

    private func noteUnmapped(_ event: AuditEvent) throws {
        if mappedKeys.value(event.key) == true { return }
        guard store.catalog.entry(event.key) == nil else {
            mappedKeys.remember(event.key, true)
            return
        }
        if unmapped.count >= Self.maxUnmapped && unmapped[event.key] == nil {
            unmappedBeyondLimit += 1
            return
        }
        if var known = unmapped[event.key] {
            known.count += 1
            known.firstSeen = min(known.firstSeen, event.timestamp)
            unmapped[event.key] = known
        } else {
            unmapped[event.key] = UnmappedKey(key: event.key, count: 1, firstSeen: event.timestamp)
            let file = options.inputs[event.source.input]
            try diagnostics.emit(Diagnostic(file: file, line: event.source.line, "event type '\(event.key)' is in no catalogue; shown with a label made from the key"))
        }
    }

    /// Events held for sorting (before duplicates are dropped).
    public var spooledEvents: Int { spools.reduce(0) { $0 + $1.count } }

    /// Unmapped keys, most frequent first.
    public var unmappedKeys: [UnmappedKey] {
        unmapped.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
    }

    public var duplicatesDropped: Int { inputs.reduce(0) { $0 + $1.duplicatesDropped } }
}

/// Bytes read per input, summed for the progress display (inputs read at the same time).
private final class ReadProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [Int64]
    private let total: Int64
    private let report: ((Int64, Int64) -> Void)?

    init(count: Int, total: Int64, report: ((Int64, Int64) -> Void)?) {
        done = Array(repeating: 0, count: count)
        self.total = total
        self.report = report
    }

    func update(_ index: Int, _ bytes: Int64) {
        guard let report else { return }
        lock.lock()
        defer { lock.unlock() }
        done[index] = bytes
        report(done.reduce(0, +), total)
    }
}

/// One result per task of a parallel loop.
final class ParallelResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [T?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    func get(_ index: Int) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return values[index]
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (declared in malloc.h, which the Glibc module does not bring in).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Work done once for the tasks of a parallel loop: the first caller runs it, the others wait
/// for it; every caller gets its error.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var work: (() throws -> Void)?
    private var failure: Error?

    init(_ work: @escaping () throws -> Void) { self.work = work }

    func run() throws {
        lock.lock()
        defer { lock.unlock() }
        if let work {
            self.work = nil
            do { try work() } catch { failure = error }
        }
        if let failure { throw failure }
    }
}

/// A value handed to the tasks of a parallel loop that use it without overlapping.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
