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
    /// Per held event, as it was read (a merge fills its fields later, but it stays filed as it
    /// came): how it names its actor and its target, the keys it is filed under, whether it had an id.
    private var held: [Held] = []

    private struct Held {
        var actors: [ActorName]
        var targets: [(kind: UInt8, name: String)]
        var filed: [String]
        var hasID: Bool
    }
    private var absorbed: [InputSet] = []
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
    private var matchCache: [String: Matching] = [:]
    /// Actors' and targets' fingerprint parts by the identity of their texts (see `actorKeys(of:)`).
    private var actorsByEmail = TextIdentityCache<[ActorName]>(slots: 1024)
    private var actorsByName = TextIdentityCache<[ActorName]>(slots: 256)
    private var targetsByIdentity = TextIdentityCache<[(kind: UInt8, name: String)]>(slots: 1024)
    /// The same by the key's identity (see `TextIdentityCache`).
    private var matchIdentity = TextIdentityCache<Matching>(slots: 512)
    /// Rows whose later-instant twin met its match (bounded by rows in repeated hours).
    private var resolvedTwins = Set<SourceLocation>()
    /// Per held event: whether it met another input's copy (decides a twin's fate).
    private var met: [Bool] = []
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
    }

    public init(catalog: EventCatalog, period: ReportPeriod? = nil) {
        self.catalog = catalog
        self.period = period
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
        if !event.id.isEmpty, let index = byID[event.id] {
            merge(event, into: index)
            return
        }
        let matching = matching(of: event.key)
        let input = event.source.input
        let actors = actorKeys(of: event)
        let targets = targets(of: event)
        if let index = indexed
            ? indexedMatch(event, actors: actors, targets: targets, sought: matching.sought)
            : linearMatch(event, actors: actors, targets: targets, sought: matching.sought)
        {
            absorbed[index].insert(input)
            merge(event, into: index)
            return
        }
        if window.count >= Self.windowLimit {
            if overfullSeconds.last != s { overfullSeconds.append(s) }
            try flush(emit)
        }
        let index = window.count
        held.append(Held(actors: actors, targets: targets, filed: matching.filed, hasID: !event.id.isEmpty))
        absorbed.append(InputSet())
        met.append(false)
        if !event.id.isEmpty { byID[event.id] = index }
        window.append(event)
        if indexed {
            file(index)
        } else if window.count >= indexFrom {
            indexed = true
            for i in window.indices { file(i) }
        }
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
    private mutating func indexedMatch(_ event: AuditEvent, actors: [ActorName], targets: [(kind: UInt8, name: String)], sought: [String]) -> Int? {
        let input = event.source.input
        for fp in Self.fingerprints(actors: actors, keys: sought, targets: targets) {
            for other in inputsByFingerprint[fp, default: []] where other != input {
                // Two events that both have ids are the same only by id.
                for hasID in event.id.isEmpty ? [false, true] : [false] {
                    guard let at = buckets.index(forKey: BucketKey(fingerprint: fp, input: other, hasID: hasID)) else { continue }
                    // In place: a copy of the bucket would copy its arrays on every look-up.
                    let found: Int? = { (bucket: inout Bucket) in
                        var position = bucket.cursor[input] ?? 0
                        while position < bucket.indices.count && absorbed[bucket.indices[position]].contains(input) { position += 1 }
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
    private func linearMatch(_ event: AuditEvent, actors: [ActorName], targets: [(kind: UInt8, name: String)], sought: [String]) -> Int? {
        guard !window.isEmpty else { return nil }
        let input = event.source.input
        var order: [(first: Int, input: Int)] = []
        for key in sought {
            for actor in actors {
                for target in targets {
                    // The held events filed under this fingerprint: the other inputs in order of
                    // their first such event.
                    // (By index: a copy of an event or its held fields would retain each of their strings.)
                    order.removeAll(keepingCapacity: true)
                    for i in window.indices {
                        let other = window[i].source.input
                        if other != input && !order.contains(where: { $0.input == other }) && files(i, key: key, actor: actor, target: target) { order.append((i, other)) }
                    }
                    guard !order.isEmpty else { continue }
                    for (first, other) in order {
                        for hasID in event.id.isEmpty ? [false, true] : [false] {
                            for i in first..<window.count
                            where window[i].source.input == other && held[i].hasID == hasID && !absorbed[i].contains(input) && files(i, key: key, actor: actor, target: target) {
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
    private func files(_ i: Int, key: String, actor: ActorName, target: (kind: UInt8, name: String)) -> Bool {
        held[i].targets.contains(where: { $0.kind == target.kind && $0.name == target.name }) && held[i].actors.contains(actor) && held[i].filed.contains(key)
    }

    /// Hands on the events still held.
    public mutating func finish(emit: (consuming AuditEvent) throws -> Void) rethrows {
        try flush(emit)
    }

    private mutating func flush(_ emit: (consuming AuditEvent) throws -> Void) rethrows {
        guard !window.isEmpty else { return }
        // Each event is moved out of the window, not copied (a copy would retain and release
        // each of its texts): reversed in place, then taken from the end.
        var events: [AuditEvent] = []
        swap(&events, &window)
        events.reverse()
        var i = 0
        while var event = events.popLast() {
            defer { i += 1 }
            if event.ambiguity == .later {
                guard met[i] else { continue }
                resolvedTwins.insert(event.source)
            }
            event.ambiguity = .none
            try emit(consume event)
        }
        // The emptied array keeps its capacity for the next second.
        swap(&events, &window)
        held.removeAll(keepingCapacity: true)
        met.removeAll(keepingCapacity: true)
        absorbed.removeAll(keepingCapacity: true)
        byID.removeAll(keepingCapacity: true)
        if indexed {
            inputsByFingerprint.removeAll(keepingCapacity: true)
            buckets.removeAll(keepingCapacity: true)
            indexed = false
        }
    }

    /// One fingerprint per key and per way the actor and the target can be named: e-mail, id or
    /// (for bots, which have no e-mail) name; page id or page name.
    static func fingerprints(actors: [ActorName], keys: [String], targets: [(kind: UInt8, name: String)]) -> [Fingerprint] {
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
    static func targets(of e: AuditEvent) -> [(kind: UInt8, name: String)] {
        if e.target.isEmpty { return [(0, "")] }
        var result: [(kind: UInt8, name: String)] = []
        if !e.target.id.isEmpty { result.append((1, e.target.id)) }
        if !e.target.name.isEmpty { result.append((2, e.target.name)) }
        return result
    }

    /// The same as `targets(of:)`, worked out once per pair of texts met again (by their identity).
    private mutating func targets(of e: AuditEvent) -> [(kind: UInt8, name: String)] {
        if let known = targetsByIdentity.value(e.target.id, e.target.name) { return known }
        let targets = Self.targets(of: e)
        targetsByIdentity.remember(e.target.id, e.target.name, targets)
        return targets
    }

    /// The same as `actorKeys(of:)`, worked out once per actor met again (by the identity of the
    /// texts that decide it: e-mail and id, or id and name when there is no e-mail).
    private mutating func actorKeys(of e: AuditEvent) -> [ActorName] {
        let email = e.actor.email
        if !email.isEmpty {
            if let known = actorsByEmail.value(email, e.actor.id) { return known }
            let actors = Self.actorKeys(of: e)
            actorsByEmail.remember(email, e.actor.id, actors)
            return actors
        }
        if let known = actorsByName.value(e.actor.id, e.actor.name) { return known }
        let actors = Self.actorKeys(of: e)
        actorsByName.remember(e.actor.id, e.actor.name, actors)
        return actors
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

    /// The ways an event names its actor, without building a prefixed string for each (this ran
    /// for every event twice): e-mail (case-folded only when it has capitals), id, bot name.
    static func actorKeys(of e: AuditEvent) -> [ActorName] {
        var actors: [ActorName] = []
        let email = e.actor.email
        if !email.isEmpty {
            actors.append(ActorName(kind: 1, name: Actor.isFolded(email) ? email : email.lowercased()))
        }
        if !e.actor.id.isEmpty { actors.append(ActorName(kind: 2, name: e.actor.id)) }
        if email.isEmpty && !e.actor.name.isEmpty { actors.append(ActorName(kind: 3, name: e.actor.name)) }
        if actors.isEmpty { actors.append(ActorName(kind: 0, name: "")) }
        return actors
    }


    /// The filing and look-up keys of an event key, worked out once per key.
    private mutating func matching(of key: String) -> Matching {
        if let m = matchIdentity.value(key) { return m }
        if let m = matchCache[key] {
            matchIdentity.remember(key, m)
            return m
        }
        let m = Self.matching(of: key, catalog: catalog)
        if matchCache.count < 100_000 { matchCache[key] = m }
        return m
    }

    static func matching(of key: String, catalog: EventCatalog) -> Matching {
        let canonical = catalog.canonicalKey(key)
        guard let entry = catalog.entry(canonical) else { return Matching(filed: [canonical], sought: [canonical]) }
        if entry.kind == .group { return Matching(filed: [canonical], sought: [canonical, "member-of:" + canonical]) }
        return Matching(filed: [canonical] + entry.groups.map { "member-of:" + $0 }, sought: [canonical] + entry.groups)
    }

    /// Counts `dropped` and fills the kept event's empty fields from it.
    private mutating func merge(_ dropped: AuditEvent, into index: Int) {
        met[index] = true
        if dropped.ambiguity == .later { resolvedTwins.insert(dropped.source) }
        if period?.contains(dropped.timestamp) ?? true {
            droppedByInput[dropped.source.input, default: 0] += 1
        } else {
            droppedOutsideByInput[dropped.source.input, default: 0] += 1
        }
        Self.absorb(dropped, into: &window[index], catalog: catalog)
        let id = window[index].id
        if !id.isEmpty && byID[id] == nil { byID[id] = index }
    }

    /// Fills the kept event's empty fields from a dropped copy, in place (in the window).
    static func absorb(_ dropped: AuditEvent, into kept: inout AuditEvent, catalog: EventCatalog) {
        func fill(_ a: inout String, _ b: String) { if a.isEmpty { a = b } }
        // A specific key beats the group key a shared UI label resolved to.
        if catalog.entry(kept.key)?.kind == .group && catalog.entry(catalog.canonicalKey(dropped.key))?.groups.contains(kept.key) == true { kept.key = dropped.key }
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
