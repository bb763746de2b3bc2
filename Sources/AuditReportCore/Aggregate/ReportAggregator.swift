/// Counts what the report shows, from the newest-first event stream: totals, per day, per
/// page (the notification audience breakdown), per actor. Memory grows with pages, actors,
/// keys and days, not with events.
///
/// Every event costs a handful of hash look-ups (its key, actor, page and platform); what a key
/// means for the counts is worked out once per distinct key, and pages and actors refer to each
/// other by index. The public dictionaries are built from that state when asked for.
public struct ReportAggregator {
    /// The report's month; nil when aggregating a conversion, which has no month.
    public let period: ReportPeriod?
    private let zone: ZoneResolver
    private let catalog: EventCatalog
    public static let maxDistinctPerActor = 20

    public private(set) var total = 0
    public private(set) var previousTotal = 0
    /// Events per audience: index 0 for none, then private … shared to web.
    public private(set) var byAudience = [0, 0, 0, 0, 0]
    /// Events per day of the period (index 0 is the 1st), in the report's zone.
    public private(set) var perDay: [Int]
    public private(set) var workspaces = Set<String>()
    public private(set) var eventsWithoutPage = 0
    public private(set) var firstEvent: Timestamp?
    public private(set) var lastEvent: Timestamp?

    /// Categories of the catalogue, then `other`: what a category index stands for.
    private let categoryNames: [String]
    private var categoryCounts: [Int]
    private var previousCategoryCounts: [Int]
    private var keyIndex: [String: Int] = [:]
    /// `keyIndex`, `actorIndex` and `pageIndex` (for page ids) by their texts' identity: the
    /// same key, person or page comes as the same String event after event.
    private var keyIdentity = TextIdentityCache<Int>(slots: 512)
    private var actorIdentity = TextIdentityCache<Int32>(slots: 1024)
    private var actorByEmail = TextIdentityCache<Int32>(slots: 4096)
    private var pageIdentity = TextIdentityCache<Int32>(slots: 8192)
    /// Slots of pages named by title only, by the title's identity, while `idByTitle` is as
    /// it was (`titleGeneration`).
    private var titleIdentity = TextIdentityCache<(slot: Int32, generation: Int)>(slots: 4096)
    private var titleGeneration = 0
    private var keys: [KeyInfo] = []
    private var platformIndex: [String: Int] = [:]
    /// The same by the identity of the platform's text (hashing the text had cost more than the
    /// rest of counting it; platforms alternate, so remembering only the last one was not enough).
    private var platformIdentity = TextIdentityCache<Int>(slots: 64)
    private var platforms: [(name: String, count: Int)] = []
    private var lastWorkspace = ""
    private var actorIndex: [String: Int32] = [:]
    private var actorWork: [ActorWork] = []
    private var pageIndex: [String: Int32] = [:]
    /// The (actor, page) pairs met: who acted on a page, and on how many pages each actor did.
    private var actorPages = PairSet()
    private var pageWork: [PageWork] = []
    /// Page ids by title, so an export row that names a page without its id joins the page.
    private var idByTitle: [String: String] = [:]

    static let viewKeys: Set<String> = ["page.viewed"]
    static let editKeys: Set<String> = ["page.content_edited", "page.created", "page.properties_edited", "page.moved", "page.deleted", "page.restored_from_trash"]
    static let exportKeys: Set<String> = ["page.exported"]
    static let downloadKeys: Set<String> = ["page.file_downloaded"]
    static let shareKeys: Set<String> = [
        "page.permissions.shared_to_public_role_added", "page.permissions.shared_to_public_role_updated", "group.page_shared_to_web",
        "page.permissions.guest_role_added", "page.permissions.integration_role_added",
        "page.permissions.shared_with_email_domain_role_added",
    ]
    /// Groups of page permission events (a shared export label).
    static let permissionGroups: Set<String> = ["group.page_permission_update", "group.page_shared_to_web", "group.email_domain_permission_on_page_changed"]
    static let accessKeys: Set<String> = [
        "page.permissions.guest_role_added", "page.permissions.guest_role_updated",
        "page.permissions.integration_role_added", "page.permissions.integration_role_updated",
    ]

    /// What an event key means for the counts, worked out when the key is first seen.
    fileprivate struct KeyInfo {
        var key: String
        var category: Int
        var count = 0
        var view: Bool
        var edit: Bool
        var export: Bool
        var actorExport: Bool
        var download: Bool
        var permission: Bool
        var share: Bool
        var access: Bool

        init(key k: String, category: Int) {
            key = k
            self.category = category
            view = ReportAggregator.viewKeys.contains(k)
            edit = ReportAggregator.editKeys.contains(k) || k.hasPrefix("page.discussion.")
            export = ReportAggregator.exportKeys.contains(k)
            actorExport = export || k.hasSuffix("_exported")
            download = ReportAggregator.downloadKeys.contains(k)
            permission = k.hasPrefix("page.permissions.") || ReportAggregator.permissionGroups.contains(k)
            share = ReportAggregator.shareKeys.contains(k)
            access = ReportAggregator.accessKeys.contains(k)
        }
    }

    /// A page's counts while the stream passes; its actors by index.
    fileprivate struct PageWork {
        var stats: PageStats
        /// Its first 10,000 actors, each once.
        var actors: [Int32] = []
        /// The audience of the page's newer event, for widening detection while walking back.
        var newerAudience: (Audience, Timestamp)?
    }

    /// An actor's counts while the stream passes; its pages by index.
    fileprivate struct ActorWork {
        var stats: ActorStats
        var byCategory: [Int]
        /// Pages it acted on.
        var pages = 0
        var lastIP = ""
        var lastCountry = ""
    }

    public init(period: ReportPeriod?, zone: ZoneResolver, catalog: EventCatalog) {
        self.period = period
        self.zone = zone
        self.catalog = catalog
        perDay = Array(repeating: 0, count: period?.dayCount ?? 0)
        categoryNames = catalog.categories.contains("other") ? catalog.categories : catalog.categories + ["other"]
        categoryCounts = Array(repeating: 0, count: categoryNames.count)
        previousCategoryCounts = categoryCounts
    }

    /// Distinct event keys counted one by one; further keys no catalogue knows (a hostile or
    /// broken input can hold a million) are counted together under `unlistedKey`.
    public static let maxKeys = 20_000
    /// The key under which unknown event types past `maxKeys` are counted.
    public static let unlistedKey = "other.unlisted_event_types"

    private mutating func keyInfoIndex(_ key: String) -> Int {
        if let i = keyIdentity.value(key) { return i }
        if let i = keyIndex[key] {
            keyIdentity.remember(key, i)
            return i
        }
        if keys.count >= Self.maxKeys && catalog.entry(key) == nil && key != Self.unlistedKey { return keyInfoIndex(Self.unlistedKey) }
        let name = catalog.category(of: key)
        let category = categoryNames.firstIndex(of: name) ?? categoryNames.count - 1
        keys.append(KeyInfo(key: key, category: category))
        keyIndex[key] = keys.count - 1
        return keys.count - 1
    }

    /// Counts an event of the month before, for the comparison per category.
    public mutating func addPrevious(_ e: AuditEvent) {
        previousTotal += 1
        previousCategoryCounts[keys[keyInfoIndex(e.key)].category] += 1
    }

    /// Counts an event of the period. Events must come newest first.
    public mutating func add(_ e: AuditEvent) {
        total += 1
        let k = keyInfoIndex(e.key)
        keys[k].count += 1
        let info = keys[k]
        categoryCounts[info.category] += 1
        let audience = Int(e.audience?.rawValue ?? 0)
        byAudience[audience] += 1
        countPlatform(e.platform)
        firstEvent = min(firstEvent ?? e.timestamp, e.timestamp)
        lastEvent = max(lastEvent ?? e.timestamp, e.timestamp)
        if period != nil {
            let day = zone.civil(e.timestamp).day - 1
            if day >= 0 && day < perDay.count { perDay[day] += 1 }
        }
        if !e.workspace.isEmpty && e.workspace != lastWorkspace && workspaces.count < 100 {
            workspaces.insert(e.workspace)
            lastWorkspace = e.workspace
        }
        let actor = actorSlot(e)
        var page: Int32 = -1
        var newPair = false
        if e.target.kind == "page" || e.target.kind == "database" || (e.target.kind.isEmpty && !e.target.isEmpty) {
            page = pageSlot(e)
            newPair = actorPages.insert(actor, page)
            pageWork[Int(page)].add(e, actor: newPair ? actor : -1, info: info)
        } else {
            eventsWithoutPage += 1
        }
        actorWork[Int(actor)].add(e, category: info.category, newPage: newPair, export: info.actorExport, download: info.download)
    }

    private mutating func countPlatform(_ name: String) {
        let i: Int
        if let known = platformIdentity.value(name) {
            i = known
        } else if let known = platformIndex[name] {
            i = known
            platformIdentity.remember(name, i)
        } else {
            i = platforms.count
            platforms.append((name, 0))
            platformIndex[name] = i
            platformIdentity.remember(name, i)
        }
        platforms[i].count += 1
    }

    /// Pages and people counted one by one: memory follows them, so past these numbers further
    /// ones are counted together in one row (`otherKey`), which the report names.
    public static let maxPages = 200_000
    public static let maxActors = 100_000
    /// The key of the row that holds the pages (or people) past the limits.
    public static let otherKey = "\u{0}other"

    private mutating func actorSlot(_ e: AuditEvent) -> Int32 {
        // An e-mail decides the identity alone: its slot is found by the e-mail's own identity,
        // before its case is folded (which scanned it for every event).
        let email = e.actor.email
        if !email.isEmpty, let i = actorByEmail.value(email) { return i }
        var identity = e.actor.identity
        if email.isEmpty, let i = actorIdentity.value(identity) { return i }
        if let i = actorIndex[identity] {
            if email.isEmpty { actorIdentity.remember(identity, i) } else { actorByEmail.remember(email, i) }
            return i
        }
        if actorIndex.count >= Self.maxActors {
            identity = Self.otherKey
            if let i = actorIndex[identity] { return i }
        }
        let i = Int32(actorWork.count)
        actorWork.append(ActorWork(
            stats: ActorStats(identity: identity, name: e.actor.name, email: e.actor.email, type: e.actor.type, firstEvent: e.timestamp, lastEvent: e.timestamp),
            byCategory: Array(repeating: 0, count: categoryNames.count)))
        actorIndex[identity] = i
        return i
    }

    private mutating func pageSlot(_ e: AuditEvent) -> Int32 {
        var id = e.target.id, title = e.target.name
        let slot: Int32
        // A page id's slot never changes, so it is remembered by the id's identity. A title's
        // changes when the title gains an id (`idByTitle`): it is remembered by the title's
        // identity until then (every change to `idByTitle` forgets them all).
        if !id.isEmpty, let known = pageIdentity.value(id) {
            slot = known
        } else if id.isEmpty, let known = titleIdentity.value(title), known.generation == titleGeneration {
            return known.slot
        } else {
            var key = id.isEmpty ? (idByTitle[title] ?? "name:" + title) : id
            if pageIndex.count >= Self.maxPages && pageIndex[key] == nil {
                (key, id, title) = (Self.otherKey, "", "")
            }
            if let i = pageIndex[key] {
                slot = i
            } else {
                slot = Int32(pageWork.count)
                pageWork.append(PageWork(stats: PageStats(key: key, id: key.hasPrefix("name:") || key == Self.otherKey ? "" : key, title: title, firstEvent: e.timestamp, lastEvent: e.timestamp)))
                pageIndex[key] = slot
                if !id.isEmpty { pageIdentity.remember(id, slot) }
                if !id.isEmpty && !title.isEmpty && idByTitle.count < 1_000_000 {
                    idByTitle[title] = id
                    titleGeneration += 1
                }
                if id.isEmpty && !title.isEmpty { titleIdentity.remember(title, (slot, titleGeneration)) }
                return slot
            }
            if !id.isEmpty { pageIdentity.remember(id, slot) }
            if id.isEmpty && !title.isEmpty { titleIdentity.remember(title, (slot, titleGeneration)) }
        }
        // A title is remembered for its id once per change, not once per event.
        if !id.isEmpty && !title.isEmpty && title != pageWork[Int(slot)].stats.title && idByTitle[title] != id && idByTitle.count < 1_000_000 {
            idByTitle[title] = id
            titleGeneration += 1
        }
        return slot
    }

    /// Who was given access by a guest or integration permission event.
    fileprivate static func gainedAccess(_ e: AuditEvent) -> String {
        let who = e.detail("entity.person.email") ?? e.detail("entity.name") ?? e.detail("entity.bot.name") ?? e.detail("entity.id") ?? e.detail("member.person.email")
        return who ?? (e.key.containsASCII("integration") ? "integration" : "guest")
    }

    /// Events per category of the period.
    public var byCategory: [String: Int] { Self.counts(categoryNames, categoryCounts) }
    /// Events per category of the month before.
    public var previousByCategory: [String: Int] { Self.counts(categoryNames, previousCategoryCounts) }

    private static func counts(_ names: [String], _ counts: [Int]) -> [String: Int] {
        var out: [String: Int] = [:]
        for (name, count) in zip(names, counts) where count > 0 { out[name] = count }
        return out
    }

    /// Events per event key of the period.
    public var byKey: [String: Int] {
        var out: [String: Int] = [:]
        for k in keys where k.count > 0 { out[k.key] = k.count }
        return out
    }

    public var byPlatform: [String: Int] {
        Dictionary(uniqueKeysWithValues: platforms.map { ($0.name, $0.count) })
    }

    /// Pages by key (page id, or `name:` and the title).
    public var pages: [String: PageStats] {
        Dictionary(uniqueKeysWithValues: pageWork.map { ($0.stats.key, pageStats($0)) })
    }

    /// Actors by identity.
    public var actors: [String: ActorStats] {
        Dictionary(uniqueKeysWithValues: actorWork.map { ($0.stats.identity, actorStats($0)) })
    }

    private func pageStats(_ w: PageWork) -> PageStats {
        var s = w.stats
        s.people = w.actors.count
        return s
    }

    private func actorStats(_ w: ActorWork) -> ActorStats {
        var s = w.stats
        s.pagesTouched = w.pages
        s.byCategory = Self.counts(categoryNames, w.byCategory)
        return s
    }

    /// The identities of the people who acted on a page (up to 10,000), by the page's key.
    public func people(onPage key: String) -> Set<String> {
        guard let w = pageWork.first(where: { $0.stats.key == key }) else { return [] }
        return Set(w.actors.map { actorWork[Int($0)].stats.identity })
    }

    /// Pages by exposure (see `PageStats.moreExposed`).
    public var pagesByExposure: [PageStats] { pageWork.map(pageStats).sorted(by: PageStats.moreExposed) }

    /// Actors by events, most first.
    public var actorsByActivity: [ActorStats] { actorWork.map(actorStats).sorted(by: ActorStats.moreActive) }

    /// `(key, count)` most frequent first, ties by key.
    public func top<K: Comparable>(_ counts: [K: Int], _ n: Int) -> [(K, Int)] {
        Array(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n))
    }
}

extension ReportAggregator.PageWork {
    /// `actor` is the event's actor when the page meets it for the first time, else -1.
    mutating func add(_ e: AuditEvent, actor: Int32, info: ReportAggregator.KeyInfo) {
        stats.events += 1
        stats.eventsByAudience[Int(e.audience?.rawValue ?? 0)] += 1
        // Newest first: the first title seen is the latest.
        if stats.title.isEmpty { stats.title = e.target.name }
        stats.firstEvent = min(stats.firstEvent, e.timestamp)
        stats.lastEvent = max(stats.lastEvent, e.timestamp)
        if actor >= 0 && actors.count < 10_000 { actors.append(actor) }
        if let audience = e.audience {
            if stats.lastAudience == nil { stats.lastAudience = audience }
            stats.firstAudience = audience
            if let (newer, newerTime) = newerAudience, newer > audience, stats.widenedAt == nil {
                stats.widenedFrom = audience
                stats.widenedTo = newer
                stats.widenedAt = newerTime
            }
            newerAudience = (audience, e.timestamp)
        }
        if info.view { stats.views += 1 }
        if info.edit { stats.edits += 1 }
        if info.export { stats.exports += 1 }
        if info.download { stats.downloads += 1 }
        if info.permission { stats.permissionChanges += 1 }
        if info.share { stats.shares += 1 }
        if info.access, stats.gainedAccess.count < 100 { stats.gainedAccess.insert(ReportAggregator.gainedAccess(e)) }
    }
}

extension ReportAggregator.ActorWork {
    mutating func add(_ e: AuditEvent, category: Int, newPage: Bool, export: Bool, download: Bool) {
        stats.events += 1
        byCategory[category] += 1
        if newPage { pages += 1 }
        if export { stats.exports += 1 }
        if download { stats.downloads += 1 }
        stats.firstEvent = min(stats.firstEvent, e.timestamp)
        stats.lastEvent = max(stats.lastEvent, e.timestamp)
        if stats.name.isEmpty { stats.name = e.actor.name }
        if stats.email.isEmpty { stats.email = e.actor.email }
        if stats.type.isEmpty { stats.type = e.actor.type }
        if !e.ipAddress.isEmpty && e.ipAddress != lastIP && stats.ipAddresses.count < ReportAggregator.maxDistinctPerActor {
            stats.ipAddresses.insert(e.ipAddress)
            lastIP = e.ipAddress
        }
        if !e.country.isEmpty && e.country != lastCountry && stats.countries.count < ReportAggregator.maxDistinctPerActor {
            stats.countries.insert(e.country)
            lastCountry = e.country
        }
    }
}
