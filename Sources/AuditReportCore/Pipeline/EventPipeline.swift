import Foundation

/// Read → Normalize → (period filter) → Sort → Deduplicate: streams every input into the spool,
/// then hands the merged events on newest first. Memory is bounded by the spool's run size and
/// by what is counted per key, not by the number of events.
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

        public init(inputs: [String], inputTimeZone: TimeZone = TimeZone(identifier: "UTC")!, period: ReportPeriod? = nil, comparisonPeriod: ReportPeriod? = nil, temporaryDirectory: URL = FileManager.default.temporaryDirectory, runBytes: Int = 48 << 20) {
            self.inputs = inputs
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
        public var duplicatesDropped = 0
        /// Events outside the report period (not in the report).
        public var outsidePeriod = 0
    }

    /// An event key no catalogue knows: how often and when first seen.
    public struct UnmappedKey: Equatable, Sendable {
        public var key: String
        public var count: Int
        public var firstSeen: Timestamp
    }

    public let store: LocaleStore
    public let options: Options
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
    private var unmapped: [String: UnmappedKey] = [:]
    private let spool: EventSpool
    /// Called with the file bytes read so far over all inputs and their total size.
    public var onProgress: ((Int64, Int64) -> Void)?

    public init(store: LocaleStore, options: Options, diagnostics: DiagnosticsEngine) {
        self.store = store
        self.options = options
        self.diagnostics = diagnostics
        spool = EventSpool(runBytes: options.runBytes, temporaryDirectory: options.temporaryDirectory)
    }

    /// Reads every input into the spool.
    /// - Throws: `ReadError`, `StrictModeError`, `OutputError` (spool).
    public func read() throws {
        var extraSeen = Set<String>()
        let total = options.inputs.reduce(Int64(0)) { sum, path in
            sum + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0)
        }
        var done: Int64 = 0
        for (index, path) in options.inputs.enumerated() {
            var context = ReadContext(store: store, inputIndex: index, inputTimeZone: options.inputTimeZone, diagnostics: diagnostics)
            if acceptsTickets { context.onTicket = { self.tickets.append($0) } }
            if let onProgress {
                let before = done
                context.onProgress = { onProgress(before + $0, total) }
            }
            var outside = 0
            let period = options.period
            let comparison = options.comparisonPeriod
            let summary = try InputReader.read(path: path, context: context) { event in
                if let period, !period.contains(event.timestamp) {
                    outside += 1
                    guard let comparison, comparison.contains(event.timestamp) else { return }
                }
                for extra in event.extras where !extraSeen.contains(extra.name) {
                    extraSeen.insert(extra.name)
                    extraColumns.append(extra.name)
                }
                try spool.add(event)
            }
            inputs.append(InputSummary(read: summary, outsidePeriod: outside))
            done += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        }
    }

    /// Hands the merged, deduplicated events to `body`, newest first; warns once per unmapped key.
    public func emit(_ body: (AuditEvent) throws -> Void) throws {
        var dedup = Deduplicator(catalog: store.catalog)
        try withoutActuallyEscaping(body) { body in
            let period = options.period
            let handle: (AuditEvent) throws -> Void = { event in
                if period?.contains(event.timestamp) ?? true { try self.noteUnmapped(event) }
                self.emitted += 1
                try body(event)
            }
            try spool.drain { event in try dedup.add(event, emit: handle) }
            try dedup.finish(emit: handle)
        }
        for (input, count) in dedup.droppedByInput { inputs[input].duplicatesDropped = count }
    }

    private func noteUnmapped(_ event: AuditEvent) throws {
        guard store.catalog.entry(event.key) == nil else { return }
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
    public var spooledEvents: Int { spool.count }

    /// Unmapped keys, most frequent first.
    public var unmappedKeys: [UnmappedKey] {
        unmapped.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
    }

    public var duplicatesDropped: Int { inputs.reduce(0) { $0 + $1.duplicatesDropped } }
}
