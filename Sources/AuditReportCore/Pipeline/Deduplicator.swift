/// Drops events that several inputs (or SIEM retries) hold twice, on the newest-first stream.
///
/// Duplicates share their second, so only the current second's events are held. Two events are
/// the same when both have an event id and the ids are equal; otherwise when they come from
/// different inputs and match on the fingerprint: same second, same actor (e-mail, else id),
/// same event (the same canonical key, or a group key and one of its members), same target (page
/// id where both have one, else page name). Each event
/// absorbs at most one fingerprint duplicate per other input, so two real views in one second
/// stay two. The kept event gains the fields only the dropped one had (e.g. the CSV's city).
///
/// An export row whose wall-clock time is in the hour repeated when daylight saving ends comes
/// twice: at the earlier instant, and as a twin at the later one (which this stream, newest
/// first, meets first). The twin is kept only where it meets the same action of another input;
/// then the row at the earlier instant is passed over. Otherwise the twin is dropped unseen and
/// the row stays at the earlier instant. Neither is counted twice.
///
/// Cost: a second holds one or two events in most workspaces (a million events a month is one
/// every 2.6 s), so while a second holds fewer than `indexFrom` events an event is compared with
/// each held one field by field, building nothing. Past that the second's events are indexed by
/// fingerprint, and each event costs a few hash look-ups whatever the number of events in its
/// second (the candidates of a fingerprint are kept per input, with a cursor per absorbing input
/// past those already used). Both ways pick the same event. A second holding more than
/// `windowLimit` events is handed on in parts; the duplicates across its parts are then not all
/// found, and `overfullSeconds` says so.
public struct Deduplicator {
    /// Events held for one second at most (about 100 MB); a real workspace has a few hundred.
    public static let windowLimit = 200_000
    private let catalog: EventCatalog
    /// Held events from which on the second's events are indexed by fingerprint (a variable so
    /// tests can compare both ways on the same events).
    var indexFrom = 12
    private var indexed = false
    private var second: Int64 = .min
    private var window: [AuditEvent] = []
    /// The window's events in reverse order while they are handed on (kept for its capacity).
    private var reversed: [AuditEvent] = []
    /// Per held event, as it was read (a merge fills its fields later, but it stays filed as it
    /// came): how it names its actor and its target, the keys it is filed under, whether it had an
    /// id; and what became of it: the inputs it absorbed a copy from, whether it met one.
    private var held: [Held] = []

    private struct Held {
        var actors: UpToTwo<ActorName>
        var targets: UpToTwo<TargetName>
        var filed: [String]
        var hasID: Bool
        /// Whether the event's key (as it is now: a merge may make it more specific) is a group key.
        var keyIsGroup: Bool
        /// The inputs it has absorbed a copy from.
        var absorbed = InputSet()
        /// Whether it met another input's copy (decides a twin's fate).
        var met = false
    }
    /// The first held event with each id, once the second is indexed (before, the few held
    /// events are compared by id: hashing every event's id had cost more).
    private var byID: [String: Int] = [:]
    /// Per fingerprint: the inputs that filed under it, in order of first appearance.
    private var inputsByFingerprint: [Fingerprint: [Int]] = [:]
    /// Per fingerprint, input and whether the held events have an id: their indices, and per
    /// absorbing input how far along the ones already used go.
    private var buckets: [BucketKey: Bucket] = [:]
    /// Seconds handed on in parts because they held more than `windowLimit` events.
    public private(set) var overfullSeconds: [Int64] = []

    struct BucketKey: Hashable {
        var fingerprint: Fingerprint
        var input: Int
        var hasID: Bool
    }

    struct Bucket {
        var indices: [Int] = []
        var cursor: [Int: Int] = [:]
    }
    private var matchings: Matchings
    /// Rows whose later-instant twin met its match (bounded by rows in repeated hours).
    private var resolvedTwins = Set<SourceLocation>()
    /// Duplicates dropped, by the input they were read from: those in the period (all when there
    /// is none). A duplicate of an event outside the period is counted there, not here.
    public private(set) var droppedByInput: [Int: Int] = [:]
    /// Duplicates of events outside the period (kept for comparisons), by input.
    public private(set) var droppedOutsideByInput: [Int: Int] = [:]
    private let period: ReportPeriod?

    /// Hashed once when made: every event looks its fingerprints up in two tables (and files
    /// them there), and hashing their strings anew each time was the run's largest hashing cost.
    struct Fingerprint: Hashable {
        /// How `actor` names the actor: 1 e-mail (case-folded), 2 id, 3 name (a bot); 0 none.
        let actorKind: UInt8
        let actor: String
        let key: String
        let targetKind: UInt8
        let target: String
        private let hash: Int

        init(actor: ActorName, key: String, targetKind: UInt8, target: String) {
            actorKind = actor.kind
            self.actor = actor.name
            self.key = key
            self.targetKind = targetKind
            self.target = target
            var hasher = Hasher()
            hasher.combine(actorKind)
            hasher.combine(actor.name)
            hasher.combine(key)
            hasher.combine(targetKind)
            hasher.combine(target)
            hash = hasher.finalize()
        }

        static func == (a: Fingerprint, b: Fingerprint) -> Bool {
            a.hash == b.hash && a.actorKind == b.actorKind && a.targetKind == b.targetKind && a.key == b.key && a.actor == b.actor && a.target == b.target
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    /// The keys an event is filed under and looked up by. A specific key is filed under itself
    /// (canonical) and as a member of each of its groups; it looks for itself and for its groups.
    /// A group key is filed under itself and looks for itself and for its members. So a key meets
    /// itself and its groups, never another member of the same group.
    struct Matching {
        var filed: [String]
        var sought: [String]
        /// Whether the key, as given, is a group key.
        var isGroup = false
        /// The groups of the key's canonical form.
        var groups: [String] = []
    }

    /// Each key's `Matching`, worked out once per key (by the key's identity first, see
    /// `TextIdentityCache`, then by its text). Not thread-safe: each thread has its own.
    struct Matchings {
        let catalog: EventCatalog
        private var byKey: [String: Matching] = [:]
        private var byIdentity = TextIdentityCache<Matching>(slots: 512)

        init(catalog: EventCatalog) {
            self.catalog = catalog
        }

        mutating func of(_ key: String) -> Matching {
            if let m = byIdentity.value(key) { return m }
            if let m = byKey[key] {
                byIdentity.remember(key, m)
                return m
            }
            let m = Deduplicator.matching(of: key, catalog: catalog)
            // Keys come from the inputs: a bounded number of them is remembered.
            if byKey.count < 100_000 { byKey[key] = m }
            return m
        }
    }

    public init(catalog: EventCatalog, period: ReportPeriod? = nil) {
        self.catalog = catalog
        self.period = period
        matchings = Matchings(catalog: catalog)
    }

    public var dropped: Int { droppedByInput.values.reduce(0, +) }

    /// Takes the next event of the newest-first stream; hands finished events to `emit`.
    /// The event is moved into the window, and moved on from there (each copy of an event had
    /// retained and released its two dozen texts).
    public mutating func add(_ event: consuming AuditEvent, emit: (consuming AuditEvent) throws -> Void) rethrows {
        let s = event.timestamp.seconds
        if s != second {
            try flush(emit)
            second = s
        }
        if event.ambiguity == .earlier && resolvedTwins.contains(event.source) { return }
        let matching = matchings.of(event.key)
        if !event.id.isEmpty, let index = heldIndex(id: event.id) {
            merge(event, matching: matching, into: index)
            return
        }
        let input = event.source.input
        let actors = Self.actorKeys(of: event)
        let targets = Self.targets(of: event)
        if let index = indexed
            ? indexedMatch(event, actors: actors, targets: targets, sought: matching.sought)
            : linearMatch(event, actors: actors, targets: targets, sought: matching.sought)
        {
            held[index].absorbed.insert(input)
            merge(event, matching: matching, into: index)
            return
        }
        if window.count >= Self.windowLimit {
            if overfullSeconds.last != s { overfullSeconds.append(s) }
            try flush(emit)
        }
        let index = window.count
        held.append(Held(actors: actors, targets: targets, filed: matching.filed, hasID: !event.id.isEmpty, keyIsGroup: matching.isGroup))
        if indexed && !event.id.isEmpty { byID[event.id] = index }
        window.append(event)
        if indexed {
            file(index)
        } else if window.count >= indexFrom {
            indexed = true
            for i in window.indices {
                file(i)
                let id = window[i].id
                if !id.isEmpty && byID[id] == nil { byID[id] = i }
            }
        }
    }

    /// The first held event with this id.
    private func heldIndex(id: String) -> Int? {
        if indexed { return byID[id] }
        for i in window.indices where window[i].id == id { return i }
        return nil
    }

    /// Files held event `index` under each of its fingerprints.
    private mutating func file(_ index: Int) {
        let input = window[index].source.input
        let h = held[index]
        for fp in Self.fingerprints(actors: h.actors, keys: h.filed, targets: h.targets) {
            let key = BucketKey(fingerprint: fp, input: input, hasID: h.hasID)
            if let at = buckets.index(forKey: key) {
                buckets.values[at].indices.append(index)
            } else {
                buckets[key] = Bucket(indices: [index])
                if !(inputsByFingerprint[fp]?.contains(input) ?? false) { inputsByFingerprint[fp, default: []].append(input) }
            }
        }
    }

    /// The held event `event` is a copy of, by the fingerprint index: for each fingerprint it
    /// seeks (in order), the inputs that filed under it in order of their first event there,
    /// events without an id before those with one, the first not yet absorbing one of this input.
    private mutating func indexedMatch(_ event: AuditEvent, actors: UpToTwo<ActorName>, targets: UpToTwo<TargetName>, sought: [String]) -> Int? {
        let input = event.source.input
        for fp in Self.fingerprints(actors: actors, keys: sought, targets: targets) {
            for other in inputsByFingerprint[fp, default: []] where other != input {
                // Two events that both have ids are the same only by id.
                for hasID in event.id.isEmpty ? [false, true] : [false] {
                    guard let at = buckets.index(forKey: BucketKey(fingerprint: fp, input: other, hasID: hasID)) else { continue }
                    // In place: a copy of the bucket would copy its arrays on every look-up.
                    let found: Int? = { (bucket: inout Bucket) in
                        var position = bucket.cursor[input] ?? 0
                        while position < bucket.indices.count && held[bucket.indices[position]].absorbed.contains(input) { position += 1 }
                        bucket.cursor[input] = position
                        return position < bucket.indices.count ? bucket.indices[position] : nil
                    }(&buckets.values[at])
                    if let found { return found }
                }
            }
        }
        return nil
    }

    /// The same choice as `indexedMatch`, made by comparing with each held event (no fingerprint
    /// is built): cheaper while the second holds few events.
    private func linearMatch(_ event: AuditEvent, actors: UpToTwo<ActorName>, targets: UpToTwo<TargetName>, sought: [String]) -> Int? {
        guard !window.isEmpty else { return nil }
        let input = event.source.input
        let hasIDs = event.id.isEmpty ? 2 : 1
        for key in sought {
            for actor in actors {
                for target in targets {
                    // The held events filed under this fingerprint, the other inputs in order of
                    // their first such event: each input is tried when its first is met.
                    // (By index: a copy of an event or its held fields would retain each of their strings.)
                    var seen = InputSet()
                    for first in window.indices {
                        let other = window[first].source.input
                        guard other != input, !seen.contains(other), files(first, key: key, actor: actor, target: target) else { continue }
                        seen.insert(other)
                        for hasID in [false, true].prefix(hasIDs) {
                            for i in first..<window.count
                            where window[i].source.input == other && held[i].hasID == hasID && !held[i].absorbed.contains(input) && files(i, key: key, actor: actor, target: target) {
                                return i
                            }
                        }
                    }
                }
            }
        }
        return nil
    }

    /// Whether held event `i` is filed under the fingerprint (key, actor, target).
    private func files(_ i: Int, key: String, actor: ActorName, target: TargetName) -> Bool {
        held[i].targets.contains(target) && held[i].actors.contains(actor) && held[i].filed.contains(key)
    }

    /// Hands on the events still held.
    public mutating func finish(emit: (consuming AuditEvent) throws -> Void) rethrows {
        try flush(emit)
    }

    private mutating func flush(_ emit: (consuming AuditEvent) throws -> Void) rethrows {
        guard !window.isEmpty else { return }
        // Each event is moved out of the window, not copied (a copy would retain and release
        // each of its texts): taken from its end into `reversed`, then from that one's end, so
        // they come in the window's order. (`reverse()` had swapped them by copying: 5% of the
        // merge's thread.) Both arrays keep their capacity for the next second.
        // (`reversed` is empty unless a hand-on threw part-way.)
        reversed.removeAll(keepingCapacity: true)
        while let event = window.popLast() { reversed.append(event) }
        var i = 0
        while var event = reversed.popLast() {
            defer { i += 1 }
            if event.ambiguity == .later {
                guard held[i].met else { continue }
                resolvedTwins.insert(event.source)
            }
            event.ambiguity = .none
            try emit(consume event)
        }
        held.removeAll(keepingCapacity: true)
        if indexed {
            byID.removeAll(keepingCapacity: true)
            inputsByFingerprint.removeAll(keepingCapacity: true)
            buckets.removeAll(keepingCapacity: true)
            indexed = false
        }
    }

    /// One fingerprint per key and per way the actor and the target can be named: e-mail, id or
    /// (for bots, which have no e-mail) name; page id or page name.
    static func fingerprints(actors: UpToTwo<ActorName>, keys: [String], targets: UpToTwo<TargetName>) -> [Fingerprint] {
        var result: [Fingerprint] = []
        for key in keys {
            for actor in actors {
                for target in targets { result.append(Fingerprint(actor: actor, key: key, targetKind: target.kind, target: target.name)) }
            }
        }
        return result
    }

    /// The ways an event names its target, in the order fingerprints are built: 1 page id,
    /// 2 page name; 0 (and "") when it names none.
    static func targets(of e: AuditEvent) -> UpToTwo<TargetName> {
        let id = e.target.id, name = e.target.name
        if id.isEmpty {
            return UpToTwo(TargetName(kind: name.isEmpty ? 0 : 2, name: name))
        }
        return name.isEmpty ? UpToTwo(TargetName(kind: 1, name: id)) : UpToTwo(TargetName(kind: 1, name: id), TargetName(kind: 2, name: name))
    }

    /// The inputs a held event has absorbed a copy from: a bit for each input below 64, a set
    /// for any past them (a set per held event had been allocated for most events).
    struct InputSet {
        private var bits: UInt64 = 0
        private var more: Set<Int>?

        func contains(_ input: Int) -> Bool {
            input >= 0 && input < 64 ? bits & (1 << UInt64(input)) != 0 : more?.contains(input) ?? false
        }

        mutating func insert(_ input: Int) {
            if input >= 0 && input < 64 {
                bits |= 1 << UInt64(input)
            } else {
                more = (more ?? []).union([input])
            }
        }
    }

    /// One way an event names its actor (see `Fingerprint.actorKind`).
    struct ActorName: Hashable {
        var kind: UInt8
        var name: String
    }

    /// One way an event names its target (see `targets(of:)`).
    struct TargetName: Equatable {
        var kind: UInt8
        var name: String
    }

    /// The ways an event names its actor, without building a prefixed string for each (this ran
    /// for every event twice): e-mail (case-folded only when it has capitals), id, bot name.
    /// Two at most (an e-mail and an id, or an id and a name), held in place: these had been an
    /// array per event, and a cache of them by the texts' identity missed for a third of events.
    static func actorKeys(of e: AuditEvent) -> UpToTwo<ActorName> {
        let email = e.actor.email, id = e.actor.id, name = e.actor.name
        if !email.isEmpty {
            let folded = ActorName(kind: 1, name: Actor.isFolded(email) ? email : email.lowercased())
            return id.isEmpty ? UpToTwo(folded) : UpToTwo(folded, ActorName(kind: 2, name: id))
        }
        if id.isEmpty { return UpToTwo(name.isEmpty ? ActorName(kind: 0, name: "") : ActorName(kind: 3, name: name)) }
        return name.isEmpty ? UpToTwo(ActorName(kind: 2, name: id)) : UpToTwo(ActorName(kind: 2, name: id), ActorName(kind: 3, name: name))
    }


    static func matching(of key: String, catalog: EventCatalog) -> Matching {
        let canonical = catalog.canonicalKey(key)
        let isGroup = catalog.entry(key)?.kind == .group
        guard let entry = catalog.entry(canonical) else { return Matching(filed: [canonical], sought: [canonical], isGroup: isGroup) }
        if entry.kind == .group { return Matching(filed: [canonical], sought: [canonical, "member-of:" + canonical], isGroup: isGroup, groups: entry.groups) }
        return Matching(filed: [canonical] + entry.groups.map { "member-of:" + $0 }, sought: [canonical] + entry.groups, isGroup: isGroup, groups: entry.groups)
    }

    /// Counts `dropped` and fills the kept event's empty fields from it.
    private mutating func merge(_ dropped: AuditEvent, matching: Matching, into index: Int) {
        held[index].met = true
        if dropped.ambiguity == .later { resolvedTwins.insert(dropped.source) }
        if period?.contains(dropped.timestamp) ?? true {
            droppedByInput[dropped.source.input, default: 0] += 1
        } else {
            droppedOutsideByInput[dropped.source.input, default: 0] += 1
        }
        // A specific key beats the group key a shared UI label resolved to.
        if held[index].keyIsGroup && matching.groups.contains(window[index].key) {
            window[index].key = dropped.key
            held[index].keyIsGroup = matching.isGroup
        }
        Self.absorb(dropped, into: &window[index])
        let id = window[index].id
        if indexed && !id.isEmpty && byID[id] == nil { byID[id] = index }
    }

    /// Fills the kept event's empty fields from a dropped copy, in place (in the window).
    static func absorb(_ dropped: AuditEvent, into kept: inout AuditEvent) {
        func fill(_ a: inout String, _ b: String) { if a.isEmpty { a = b } }
        fill(&kept.id, dropped.id)
        fill(&kept.actor.id, dropped.actor.id)
        fill(&kept.actor.email, dropped.actor.email)
        fill(&kept.actor.name, dropped.actor.name)
        fill(&kept.actor.type, dropped.actor.type)
        fill(&kept.role, dropped.role)
        fill(&kept.ipAddress, dropped.ipAddress)
        fill(&kept.platform, dropped.platform)
        fill(&kept.city, dropped.city)
        fill(&kept.region, dropped.region)
        fill(&kept.country, dropped.country)
        fill(&kept.workspace, dropped.workspace)
        fill(&kept.target.kind, dropped.target.kind)
        fill(&kept.target.id, dropped.target.id)
        fill(&kept.target.name, dropped.target.name)
        if kept.audience == nil { kept.audience = dropped.audience }
        Self.addMissing(dropped.details, to: &kept.details)
        Self.addMissing(dropped.extras, to: &kept.extras)
    }

    /// Appends the fields of `extra` whose names `fields` lacks (by a set past a few fields, so
    /// events with many details merge in linear time).
    static func addMissing(_ extra: [Field], to fields: inout [Field]) {
        guard !extra.isEmpty else { return }
        if fields.count * extra.count <= 256 {
            for f in extra where !fields.contains(where: { $0.name == f.name }) { fields.append(f) }
            return
        }
        var names = Set(fields.map(\.name))
        for f in extra where names.insert(f.name).inserted { fields.append(f) }
    }
}

/// One or two values, held in place (an array of them had been allocated for every event).
/// A single value is stored twice, so neither is optional (unwrapping one had copied it).
struct UpToTwo<Element>: RandomAccessCollection {
    private let a: Element
    private let b: Element
    private let isPair: Bool

    init(_ a: Element) {
        self.a = a
        b = a
        isPair = false
    }

    init(_ a: Element, _ b: Element) {
        self.a = a
        self.b = b
        isPair = true
    }

    var startIndex: Int { 0 }
    var endIndex: Int { isPair ? 2 : 1 }

    subscript(position: Int) -> Element {
        precondition(position == 0 || (position == 1 && isPair), "index out of range")
        return position == 0 ? a : b
    }
}

extension UpToTwo where Element: Equatable {
    /// Compared in place (through the collection's iterator each value was copied first).
    @inline(__always)
    func contains(_ value: Element) -> Bool { a == value || (isPair && b == value) }
}
