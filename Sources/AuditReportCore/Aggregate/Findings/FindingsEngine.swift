/// Something a reviewer should look at: a rule, the events behind it, who, and when.
public struct Finding: Equatable, Sendable {
    public var ruleID: String
    public var severity: Severity
    public var count: Int
    /// People involved (e-mail, else id or name), sorted.
    public var actors: [String]
    public var first: Timestamp
    public var last: Timestamp
    /// The events behind it as `file:line` with the event id when there is one (at most `FindingsEngine.maxReferences`).
    public var references: [String]
    /// What the finding is about (the person, the page, the setting, a detail's value), as the
    /// rule's `subject` says; `subjectKind` names which.
    public var subject: String
    public var subjectKind: String = "actor"
    /// What a reviewer needs to act on it.
    public var context = FindingContext()
    /// The exception that suppresses it, if one does (it stays listed, out of the tickets).
    public var suppression: Suppression?

    /// Report order: severity, then time, then rule.
    public static func before(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity < b.severity }
        if a.first != b.first { return a.first < b.first }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        return a.actors.lexicographicallyPrecedes(b.actors)
    }
}

/// Applies the finding rules to the newest-first event stream. State is per actor and per
/// page and bounded by the rules' windows; only logins are kept for the new-location rule.
/// Every rule costs amortized constant time per event: windows are queues dropped from the
/// front as the stream goes back in time, and nothing is compared with every earlier event.
public struct FindingsEngine {
    public static let maxReferences = 200
    let rules: [FindingRule]
    /// Per rule, its undo window in milliseconds (read for every event while events wait: read
    /// through the rule, it copied the rule each time).
    private let undoLimits: [Int64]
    let catalog: EventCatalog
    let period: ReportPeriod?
    let sources: [String]

    private struct Ref {
        var time: Timestamp
        var actor: String
        /// Where it was read, and its id: its reference's text is made only for a finding's
        /// listed events (see `Evidence`), not for every event a rule looks at.
        var source: SourceLocation
        var id: String
        /// The event's position in the stream: its identity here.
        var sequence: Int
        var context: FindingContext
        /// The page a net burst counts (id, else title); empty for none.
        var page: String = ""
    }

    /// An event a finding lists: its time and where it was read (its context is merged into the
    /// finding's, so the finding keeps no more of it).
    private struct Evidence {
        var time: Timestamp
        var source: SourceLocation
        var id: String

        /// `file:line`, with the event's id when it has one.
        func reference(_ sources: [String]) -> String {
            let file = source.input < sources.count ? sources[source.input] : "?"
            return "\(file):\(source.line)" + (id.isEmpty ? "" : " (\(id))")
        }
    }

    /// A finding being built.
    private struct Open {
        var evidence: [Evidence] = []
        var members = Set<Int>()
        var count = 0
        var actors = Set<String>()
        var first = Timestamp(milliseconds: .max)
        var last = Timestamp(milliseconds: .min)
        var subject = ""
        var subjectKind = "actor"
        var context = FindingContext()

        init(subject: String = "", kind: String = "actor") {
            self.subject = subject
            subjectKind = kind
        }

        /// Adds an event; `checkRepeat` for bursts, whose windows offer an event more than once.
        mutating func add(_ r: Ref, checkRepeat: Bool = false) {
            if checkRepeat { guard members.insert(r.sequence).inserted else { return } }
            count += 1
            if evidence.count < FindingsEngine.maxReferences { evidence.append(Evidence(time: r.time, source: r.source, id: r.id)) }
            if !r.actor.isEmpty { actors.insert(r.actor) }
            first = min(first, r.time)
            last = max(last, r.time)
            context.merge(r.context)
        }
    }

    /// Per rule and subject: the incident being built (events newest first).
    private var anyFindings: [Int: [String: Open]] = [:]
    /// Per rule: events of the period it looked at (for the rule status table).
    public var considered: [String: Int] {
        rules.indices.reduce(into: [:]) { counts, i in if consideredCounts[i] > 0 { counts[rules[i].id, default: 0] += consideredCounts[i] } }
    }
    /// The same by the rule's index (counted per event: no hashing of its id).
    private var consideredCounts: [Int]
    /// Per net-burst rule and actor: how many events of each page the window holds.
    private var windowPages: [Int: [String: [String: Int]]] = [:]
    /// Per rule and actor: events inside the window, newest first, and the burst being built.
    private var windows: [Int: [String: Queue<Ref>]] = [:]
    private var bursts: [Int: [String: Open]] = [:]
    private var done: [(Int, Open)] = []
    /// Per rule: times of undo events by page id and by title, newest first.
    private var undos: [Int: [String: Queue<Timestamp>]] = [:]
    /// Per net-burst rule with prior keys: the times of prior events (creations) per page, and
    /// the matching events waiting until the stream is past the window before them.
    private var priors: [Int: [String: Queue<Timestamp>]] = [:]
    private var waiting: [Int: Queue<(Ref, [String])>] = [:]
    /// A login that may be the first from its place: the oldest one at that place not yet
    /// matched by an earlier login there within the look-back.
    private struct Candidate {
        /// The login itself: its reference (with the context of a finding, which cost more than
        /// the rest of the rule) is made only for a candidate that becomes one.
        var event: AuditEvent
        /// Its position in the stream (`Ref.sequence`).
        var sequence: Int
        var place: String
        var inPeriod: Bool
        /// The actor's logins read before this one: any read after it while it stays a candidate
        /// is an earlier login within the look-back at another place (one at its own place ends
        /// it), which is the history needed to call its place new.
        var loginsBefore: Int
    }

    /// One person's logins for the new-location rule: candidates newest first (a queue), the
    /// live candidate per place, and the last few places seen (examples for the finding).
    private struct LoginHistory {
        /// Per place, its latest login read (the oldest in time so far): the one candidate of
        /// that place. An older login at the same place within the look-back ends it; so the
        /// history holds one login per place, not every login of the look-back (which held a
        /// month of a busy workspace's logins in memory).
        var candidates: [String: Candidate] = [:]
        var logins = 0
        /// The last few distinct places with the number of the login seen there.
        var recentPlaces: [(place: String, login: Int)] = []
    }

    /// Per rule and actor (bounded by the people who log in and their places within the look-back).
    private var logins: [Int: [String: LoginHistory]] = [:]
    private var sequence = 0
    /// Per rule and actor key (`i:` id, `e:` e-mail): "then" events waiting for an earlier
    /// "first" event; for rules in any order also "first" events waiting for an earlier "then".
    private var pending: [Int: [String: [Ref]]] = [:]
    private var pendingFirst: [Int: [String: [Ref]]] = [:]

    public init(rules: FindingRules, catalog: EventCatalog, period: ReportPeriod?, sources: [String]) {
        self.rules = rules.rules.map { Self.current($0, catalog: catalog) }
        undoLimits = rules.rules.map { Int64($0.undoMinutes ?? 60) * 60_000 }
        consideredCounts = Array(repeating: 0, count: rules.rules.count)
        self.catalog = catalog
        self.period = period
        self.sources = sources
    }

    /// A rule written for an older catalogue, in today's keys: a retired `ui.` key becomes the key
    /// that replaces it, a retired key Notion split becomes itself and each of its parts.
    static func current(_ rule: FindingRule, catalog: EventCatalog) -> FindingRule {
        func expand(_ keys: [String]?) -> [String]? {
            keys.map { keys in
                var out: [String] = []
                for key in keys {
                    var forms = [key]
                    if let entry = catalog.entry(key), entry.isRetired {
                        forms = entry.kind == .group ? [key] + catalog.members(ofGroup: key) : [catalog.readKey(key)]
                    }
                    for form in forms where !out.contains(form) { out.append(form) }
                }
                return out
            }
        }
        var rule = rule
        for i in rule.match.indices { rule.match[i].keys = expand(rule.match[i].keys) }
        if let first = rule.first { rule.first = first.map { var m = $0; m.keys = expand(m.keys); return m } }
        rule.undoKeys = expand(rule.undoKeys)
        return rule
    }

    /// The rules an event key can concern (by its key alone) and its canonical key.
    private struct Interest {
        var canonical: String
        var rules: [Int]
    }

    /// Interest per event key seen: most events concern no rule and cost one look-up.
    private var interestByKey: [String: Interest] = [:]
    /// The same by the key's identity (the readers share recurring keys): no hashing per event.
    private var interestIdentity = TextIdentityCache<Interest>(slots: 1024)

    private mutating func interests(in key: String) -> Interest {
        if let known = interestIdentity.value(key) { return known }
        if let known = interestByKey[key] {
            interestIdentity.remember(key, known)
            return known
        }
        let canonical = catalog.canonicalKey(key)
        let concerned = rules.indices.filter { i in
            let rule = rules[i]
            return rule.match.contains { $0.matches(key: key, canonical: canonical) }
                || (rule.first ?? []).contains { $0.matches(key: key, canonical: canonical) }
                || (rule.undoKeys ?? []).contains(key) || (rule.priorKeys ?? []).contains(key)
        }
        let interest = Interest(canonical: canonical, rules: concerned)
        // Keys come from the inputs: remember a bounded number of them.
        if interestByKey.count < 100_000 { interestByKey[key] = interest }
        interestIdentity.remember(key, interest)
        return interest
    }

    private func reference(_ e: AuditEvent, sequence: Int? = nil) -> Ref {
        Ref(
            time: e.timestamp, actor: e.actor.identity, source: e.source, id: e.id, sequence: sequence ?? self.sequence,
            context: FindingContext(e), page: e.target.id.isEmpty ? e.target.name : e.target.id)
    }

    /// The keys an actor is correlated by: the id first (an e-mail change changes the e-mail),
    /// then the e-mail.
    static func actorKeys(_ e: AuditEvent) -> [String] {
        var keys: [String] = []
        if !e.actor.id.isEmpty { keys.append("i:" + e.actor.id) }
        if !e.actor.email.isEmpty { keys.append("e:" + e.actor.email.lowercased()) }
        if keys.isEmpty { keys.append("n:" + e.actor.identity) }
        return keys
    }

    /// One rule's single events, per subject: events within the incident window of the
    /// incident's oldest event so far join it; an older one starts the next incident.
    private mutating func addToIncident(_ index: Int, _ rule: FindingRule, _ e: AuditEvent) {
        let subject = rule.subjectValue(e)
        let window = Int64(rule.incidentMinutes ?? 60) * 60_000
        var open = anyFindings[index]?[subject] ?? Open(subject: subject, kind: (rule.subject ?? .actor).name)
        if open.count > 0 && open.first.milliseconds - e.timestamp.milliseconds > window {
            done.append((index, open))
            open = Open(subject: subject, kind: (rule.subject ?? .actor).name)
        }
        open.add(reference(e))
        anyFindings[index, default: [:]][subject] = open
    }

    private func inPeriod(_ t: Timestamp) -> Bool { period?.contains(t) ?? true }

    /// Takes the next event; events must come newest first. Events outside the period serve
    /// as history (earlier logins, a login before an account change) but raise no finding.
    public mutating func add(_ e: AuditEvent) {
        sequence += 1
        if !waiting.isEmpty, waitingDue(before: e.timestamp) { releaseWaiting(before: e.timestamp) }
        if sequence & 0xFFFF == 0 { pruneUndos(before: e.timestamp) }
        let interest = interests(in: e.key)
        guard !interest.rules.isEmpty else { return }
        let canonical = interest.canonical
        for index in interest.rules {
            let rule = rules[index]
            switch rule.kind {
            case .any:
                if inPeriod(e.timestamp), rule.matches(e, canonical: canonical) {
                    consideredCounts[index] += 1
                    addToIncident(index, rule, e)
                }
            case .burst:
                if inPeriod(e.timestamp), rule.matches(e, canonical: canonical) {
                    consideredCounts[index] += 1
                    addToBurst(index, rule, reference(e))
                }
            case .netBurst:
                if (rule.undoKeys ?? []).contains(e.key) {
                    for key in Self.pageKeys(e) { undos[index, default: [:]][key, default: Queue()].append(e.timestamp) }
                }
                if (rule.priorKeys ?? []).contains(e.key) {
                    for key in Self.pageKeys(e) { priors[index, default: [:]][key, default: Queue()].append(e.timestamp) }
                }
                // Only named pages count, each once in a window.
                if inPeriod(e.timestamp), rule.matches(e, canonical: canonical), !e.target.isEmpty {
                    consideredCounts[index] += 1
                    guard !undone(index, rule, e) else { continue }
                    // Whether the page was created just before is known once the stream is
                    // past the window before this event: it waits until then.
                    if (rule.priorKeys ?? []).isEmpty {
                        addToBurst(index, rule, reference(e))
                    } else {
                        waiting[index, default: Queue()].append((reference(e), Self.pageKeys(e)))
                    }
                }
            case .newLocation:
                guard rule.matches(e, canonical: canonical) else { continue }
                if inPeriod(e.timestamp) { consideredCounts[index] += 1 }
                // A login without a place cannot be new; it is no history either.
                if !e.country.isEmpty || !e.city.isEmpty { addLogin(index, rule, e) }
            case .sequence:
                let isThen = rule.matches(e, canonical: canonical)
                let isFirst = (rule.first ?? []).contains(where: { $0.matches(e, canonical: canonical) })
                if isThen && inPeriod(e.timestamp) { consideredCounts[index] += 1 }
                if isFirst { correlate(index, rule, e, asFirst: true) }
                if isThen && inPeriod(e.timestamp) {
                    if rule.ordered == false {
                        correlate(index, rule, e, asFirst: false)
                    } else {
                        let r = reference(e)
                        for key in Self.actorKeys(e) { pending[index, default: [:]][key, default: []].append(r) }
                    }
                }
            }
        }
    }

    /// An event meets the newer events of the other side waiting under its actor's keys (by id
    /// before e-mail): those within the window make a finding with it. Without a match it waits
    /// itself (when `store`, for rules in any order), for an older event of the other side.
    /// - Parameter asFirst: the event is a `first` one meeting waiting `then` events (else the
    ///   other way round, for rules in any order).
    private mutating func correlate(_ index: Int, _ rule: FindingRule, _ e: AuditEvent, asFirst: Bool) {
        let within = Int64(rule.withinHours ?? 0) * 3_600_000
        var matched: [Ref] = []
        var seen = Set<Int>()
        for key in Self.actorKeys(e) {
            let list = (asFirst ? pending : pendingFirst)[index]?[key] ?? []
            guard !list.isEmpty else { continue }
            // Every waiting event is newer than this one: those within the window follow it; the
            // others are out of reach of it and of every older one.
            for r in list where r.time.milliseconds - e.timestamp.milliseconds <= within && seen.insert(r.sequence).inserted { matched.append(r) }
            if asFirst { pending[index]?[key] = [] } else { pendingFirst[index]?[key] = [] }
        }
        let store = rule.ordered == false
        if !matched.isEmpty {
            var open = Open(subject: e.actor.identity)
            if inPeriod(e.timestamp) || matched.contains(where: { inPeriod($0.time) }) {
                open.add(reference(e))
                for r in matched { open.add(r) }
                done.append((index, open))
            }
        } else if store && rule.ordered == false {
            // Nothing newer of the other side: it waits for an older one.
            let r = reference(e)
            for key in Self.actorKeys(e) {
                if asFirst { pendingFirst[index, default: [:]][key, default: []].append(r) } else { pending[index, default: [:]][key, default: []].append(r) }
            }
        }
    }

    /// Logins come newest first: this older login is history for the candidates after it.
    private mutating func addLogin(_ index: Int, _ rule: FindingRule, _ e: AuditEvent) {
        let place = FindingContext.place(city: e.city, country: e.country)
        let lookback = Int64(rule.lookbackDays ?? 28) * 86_400_000
        var history = logins[index]?.removeValue(forKey: e.actor.identity) ?? LoginHistory()
        // Candidates more than the look-back after this login are decided now, in the order
        // they were read: no login at their place came within the look-back before them.
        let expired = history.candidates.values.filter { $0.event.timestamp.milliseconds - e.timestamp.milliseconds > lookback }
        for candidate in expired.sorted(by: { $0.sequence < $1.sequence }) {
            history.candidates[candidate.place] = nil
            resolve(index, candidate, history)
        }
        // Seen here within the look-back: the candidate of this place is no new place; this login
        // takes its turn.
        history.logins += 1
        history.candidates[place] = Candidate(event: e, sequence: sequence, place: place, inPeriod: inPeriod(e.timestamp), loginsBefore: history.logins)
        history.recentPlaces.removeAll { $0.place == place }
        history.recentPlaces.append((place, history.logins))
        if history.recentPlaces.count > 4 { history.recentPlaces.removeFirst() }
        logins[index, default: [:]][e.actor.identity] = history
    }

    private mutating func resolve(_ index: Int, _ candidate: Candidate, _ history: LoginHistory) {
        guard candidate.inPeriod, history.logins > candidate.loginsBefore else { return }
        let ref = reference(candidate.event, sequence: candidate.sequence)
        var open = Open(subject: ref.actor)
        open.add(ref)
        // Places of logins read after it (so earlier in time), within the look-back.
        open.context.earlierPlaces = history.recentPlaces.filter { $0.login > candidate.loginsBefore && $0.place != candidate.place }.map(\.place).sorted()
        done.append((index, open))
    }

    /// Drops undo times no older deletion can reach (the stream only goes back in time).
    private mutating func pruneUndos(before now: Timestamp) {
        // A creation after every waiting deletion can no longer come before one.
        for (index, byKey) in priors {
            guard let newest = waiting[index]?.first?.0.time else {
                priors[index] = nil
                continue
            }
            priors[index] = byKey.compactMapValues { times in
                var times = times
                while let t = times.first, t > newest { times.removeFirst() }
                return times.isEmpty ? nil : times
            }
        }
        for (index, byKey) in undos {
            let limit = undoLimits[index]
            undos[index] = byKey.compactMapValues { times in
                var times = times
                while let newest = times.first, newest.milliseconds - now.milliseconds > limit { times.removeFirst() }
                return times.isEmpty ? nil : times
            }
        }
    }

    static func pageKeys(_ e: AuditEvent) -> [String] {
        var keys: [String] = []
        if !e.target.id.isEmpty { keys.append("id:" + e.target.id) }
        if !e.target.name.isEmpty { keys.append("title:" + e.target.name) }
        return keys
    }

    /// Whether a deletion was restored or the page re-created within the undo window after it.
    /// The undo times of a page are newest first: the ones too far after this deletion are out
    /// of reach of every older one too and go; the oldest left is the nearest after it.
    /// Whether a waiting event's window before it is behind the stream (a look at each rule's
    /// oldest-waiting front, nothing allocated: this runs for every event while any wait).
    private func waitingDue(before now: Timestamp) -> Bool {
        waiting.contains { index, queue in
            guard let time = queue.withFirst({ $0.0.time }) else { return false }
            return time.milliseconds - now.milliseconds > undoLimits[index]
        }
    }

    /// Passes on the waiting events whose window before them the stream has left (all with
    /// nil): those without a prior event on their page within the window count.
    private mutating func releaseWaiting(before now: Timestamp?) {
        for index in Array(waiting.keys) {
            let rule = rules[index]
            let limit = Int64(rule.undoMinutes ?? 60) * 60_000
            guard var queue = waiting[index] else { continue }
            while let next = queue.first, now.map({ next.0.time.milliseconds - $0.milliseconds > limit }) ?? true {
                queue.removeFirst()
                let created = next.1.contains { key in
                    priors[index]?[key]?.contains(where: { $0 <= next.0.time && next.0.time.milliseconds - $0.milliseconds <= limit }, fromEnd: true) ?? false
                }
                if !created { addToBurst(index, rule, next.0) }
            }
            if queue.isEmpty {
                waiting[index] = nil
                // Later (older) events cannot be before a deletion already passed on.
                priors[index] = nil
            } else {
                waiting[index] = queue
            }
        }
    }

    private mutating func undone(_ index: Int, _ rule: FindingRule, _ e: AuditEvent) -> Bool {
        let limit = Int64(rule.undoMinutes ?? 60) * 60_000
        var found = false
        for key in Self.pageKeys(e) {
            guard var times = undos[index]?[key] else { continue }
            while let newest = times.first, newest.milliseconds - e.timestamp.milliseconds > limit { times.removeFirst() }
            // Times equal to the deletion's are not after it; they sit at the end (oldest).
            if times.contains(where: { $0 > e.timestamp }, fromEnd: true) { found = true }
            undos[index]?[key] = times.isEmpty ? nil : times
        }
        return found
    }

    private mutating func addToBurst(_ index: Int, _ rule: FindingRule, _ r: Ref) {
        let window = Int64(rule.windowMinutes ?? 60) * 60_000
        var events = windows[index]?.removeValue(forKey: r.actor) ?? Queue()
        // A net burst counts pages, each once in the window.
        let perPage = rule.kind == .netBurst
        var pages = perPage ? windowPages[index]?.removeValue(forKey: r.actor) ?? [:] : [:]
        // Newest first: drop events more than the window after this one.
        while let newest = events.first, newest.time.milliseconds - r.time.milliseconds > window {
            events.removeFirst()
            if perPage {
                pages[newest.page, default: 1] -= 1
                if pages[newest.page] == 0 { pages[newest.page] = nil }
            }
        }
        events.append(r)
        if perPage { pages[r.page, default: 0] += 1 }
        defer {
            windows[index, default: [:]][r.actor] = events
            if perPage { windowPages[index, default: [:]][r.actor] = pages }
        }
        guard (perPage ? pages.count : events.count) >= (rule.threshold ?? 1) else { return }
        var open = bursts[index]?[r.actor] ?? Open(subject: r.actor)
        if open.count > 0 && open.first.milliseconds - r.time.milliseconds > window {
            // A new burst, apart from the one being built.
            done.append((index, open))
            open = Open(subject: r.actor)
        }
        if open.count == 0 {
            // The threshold is reached: the whole window joins.
            for event in events.elements { open.add(event, checkRepeat: true) }
        } else {
            // The burst goes on: every other event of the window is in it already.
            open.add(r, checkRepeat: true)
        }
        bursts[index, default: [:]][r.actor] = open
    }

    /// The findings, most severe first. The engine gives up what it held for them (their
    /// events' references), so the outputs made next reuse that memory; call it once.
    public mutating func finish() -> [Finding] {
        var results: [(Int, Open)]
        releaseWaiting(before: nil)
        for (index, byActor) in logins {
            for (_, history) in byActor {
                for candidate in history.candidates.values.sorted(by: { $0.sequence < $1.sequence }) { resolve(index, candidate, history) }
            }
        }
        logins = [:]
        results = done
        for (index, bySubject) in anyFindings { for open in bySubject.values { results.append((index, open)) } }
        for (index, byActor) in bursts { for open in byActor.values { results.append((index, open)) } }
        (done, anyFindings, bursts) = ([], [:], [:])
        var found = results.map { index, open in
            Finding(
                ruleID: rules[index].id, severity: rules[index].severity, count: open.count, actors: open.actors.sorted(), first: open.first, last: open.last,
                references: open.evidence.sorted { $0.time < $1.time }.map { $0.reference(sources) }, subject: open.subject, subjectKind: open.subjectKind, context: open.context)
        }
        results = []  // the last hold on the evidence
        found.sort(by: Finding.before)
        return found
    }
}

/// A first-in, first-out queue with constant-time removal from the front.
struct Queue<Element> {
    private var storage: [Element] = []
    private var head = 0

    var first: Element? { head < storage.count ? storage[head] : nil }
    /// What `body` makes of the first element, read in place (`first` copies it), or nil.
    func withFirst<R>(_ body: (borrowing Element) -> R) -> R? { head < storage.count ? body(storage[head]) : nil }
    var count: Int { storage.count - head }
    var isEmpty: Bool { head >= storage.count }
    var elements: ArraySlice<Element> { storage[head...] }
    /// Elements still referenced, consumed ones not yet given back included.
    var held: Int { storage.count }

    mutating func append(_ element: Element) { storage.append(element) }

    mutating func removeFirst() {
        head += 1
        // Give the space back once the queue is empty or most of the array is consumed (moving
        // fewer elements than were removed, so constant time amortized). A queue per person
        // that kept up to a thousand consumed events held a 4M month's export windows at 25 MB.
        if head == storage.count {
            storage = []
            head = 0
        } else if head >= 16 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }

    /// Whether an element satisfies `predicate`, looking from the back (the oldest).
    func contains(where predicate: (Element) -> Bool, fromEnd: Bool) -> Bool {
        storage[head...].reversed().contains(where: predicate)
    }
}
