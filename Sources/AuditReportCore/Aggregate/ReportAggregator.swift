/// Counts what the report shows, from the newest-first event stream: totals, per day, per
/// page (the notification audience breakdown), per actor. Memory grows with pages, actors,
/// keys and days, not with events.
public struct ReportAggregator {
    /// The report's month; nil when aggregating a conversion, which has no month.
    public let period: ReportPeriod?
    private let zone: ZoneResolver
    private let catalog: EventCatalog
    public static let maxDistinctPerActor = 20

    public private(set) var total = 0
    public private(set) var byCategory: [String: Int] = [:]
    public private(set) var previousByCategory: [String: Int] = [:]
    public private(set) var previousTotal = 0
    /// Events per audience: index 0 for none, then private … shared to web.
    public private(set) var byAudience = [0, 0, 0, 0, 0]
    public private(set) var byPlatform: [String: Int] = [:]
    public private(set) var byKey: [String: Int] = [:]
    /// Events per day of the period (index 0 is the 1st), in the report's zone.
    public private(set) var perDay: [Int]
    public private(set) var workspaces = Set<String>()
    public private(set) var eventsWithoutPage = 0
    public private(set) var pages: [String: PageStats] = [:]
    public private(set) var actors: [String: ActorStats] = [:]
    /// Page ids by title, so an export row that names a page without its id joins the page.
    private var idByTitle: [String: String] = [:]
    /// Newer audience seen per page while walking back in time, for widening detection.
    private var newerAudience: [String: (Audience, Timestamp)] = [:]

    static let viewKeys: Set<String> = ["page.viewed"]
    static let editKeys: Set<String> = ["page.content_edited", "page.created", "ui.page.property_edited", "page.moved", "page.deleted", "page.restored_from_trash"]
    static let exportKeys: Set<String> = ["page.exported", "page.file_downloaded"]
    static let shareKeys: Set<String> = [
        "page.permissions.shared_to_public_role_added", "page.permissions.shared_to_public_role_updated", "group.page_shared_to_web",
        "page.permissions.guest_role_added", "page.permissions.integration_role_added",
    ]
    static let accessKeys: Set<String> = [
        "page.permissions.guest_role_added", "page.permissions.guest_role_updated",
        "page.permissions.integration_role_added", "page.permissions.integration_role_updated",
    ]

    public private(set) var firstEvent: Timestamp?
    public private(set) var lastEvent: Timestamp?

    public init(period: ReportPeriod?, zone: ZoneResolver, catalog: EventCatalog) {
        self.period = period
        self.zone = zone
        self.catalog = catalog
        perDay = Array(repeating: 0, count: period?.dayCount ?? 0)
    }

    /// Counts an event of the month before, for the comparison per category.
    public mutating func addPrevious(_ e: AuditEvent) {
        previousTotal += 1
        previousByCategory[catalog.category(of: e.key), default: 0] += 1
    }

    /// Counts an event of the period. Events must come newest first.
    public mutating func add(_ e: AuditEvent) {
        total += 1
        let category = catalog.category(of: e.key)
        byCategory[category, default: 0] += 1
        byAudience[Int(e.audience?.rawValue ?? 0)] += 1
        byPlatform[e.platform, default: 0] += 1
        byKey[e.key, default: 0] += 1
        firstEvent = min(firstEvent ?? e.timestamp, e.timestamp)
        lastEvent = max(lastEvent ?? e.timestamp, e.timestamp)
        if period != nil {
            let day = zone.civil(e.timestamp).day - 1
            if day >= 0 && day < perDay.count { perDay[day] += 1 }
        }
        if !e.workspace.isEmpty && workspaces.count < 100 { workspaces.insert(e.workspace) }
        let actorKey = e.actor.identity
        var pageKey: String?
        if e.target.kind == "page" || e.target.kind == "database" || (e.target.kind.isEmpty && !e.target.isEmpty) {
            if !e.target.id.isEmpty && !e.target.name.isEmpty && idByTitle.count < 1_000_000 { idByTitle[e.target.name] = e.target.id }
            let key = e.target.id.isEmpty ? (idByTitle[e.target.name] ?? "name:" + e.target.name) : e.target.id
            pageKey = key
            addPage(e, key: key, actor: actorKey)
        } else {
            eventsWithoutPage += 1
        }
        // Taken out of the dictionary, not copied, so its sets are mutated in place.
        var actor = actors.removeValue(forKey: actorKey) ?? ActorStats(identity: actorKey, name: e.actor.name, email: e.actor.email, type: e.actor.type, firstEvent: e.timestamp, lastEvent: e.timestamp)
        actor.events += 1
        actor.byCategory[category, default: 0] += 1
        if let pageKey { actor.pages.insert(pageKey) }
        if Self.exportKeys.contains(e.key) || e.key.hasSuffix("_exported") { actor.exports += 1 }
        actor.firstEvent = min(actor.firstEvent, e.timestamp)
        actor.lastEvent = max(actor.lastEvent, e.timestamp)
        if actor.name.isEmpty { actor.name = e.actor.name }
        if actor.email.isEmpty { actor.email = e.actor.email }
        if actor.type.isEmpty { actor.type = e.actor.type }
        if !e.ipAddress.isEmpty && actor.ipAddresses.count < Self.maxDistinctPerActor { actor.ipAddresses.insert(e.ipAddress) }
        if !e.country.isEmpty && actor.countries.count < Self.maxDistinctPerActor { actor.countries.insert(e.country) }
        actors[actorKey] = actor
    }

    private mutating func addPage(_ e: AuditEvent, key: String, actor: String) {
        var page = pages.removeValue(forKey: key) ?? PageStats(key: key, id: key.hasPrefix("name:") ? "" : key, title: e.target.name, firstEvent: e.timestamp, lastEvent: e.timestamp)
        page.events += 1
        page.eventsByAudience[Int(e.audience?.rawValue ?? 0)] += 1
        // Newest first: the first title seen is the latest.
        if page.title.isEmpty { page.title = e.target.name }
        page.firstEvent = min(page.firstEvent, e.timestamp)
        page.lastEvent = max(page.lastEvent, e.timestamp)
        if page.actors.count < 10_000 { page.actors.insert(actor) }
        if let audience = e.audience {
            if page.lastAudience == nil { page.lastAudience = audience }
            page.firstAudience = audience
            if let (newer, newerTime) = newerAudience[key], newer > audience, page.widenedAt == nil {
                page.widenedFrom = audience
                page.widenedTo = newer
                page.widenedAt = newerTime
            }
            newerAudience[key] = (audience, e.timestamp)
        }
        let k = e.key
        if Self.viewKeys.contains(k) { page.views += 1 }
        if Self.editKeys.contains(k) || k.hasPrefix("page.discussion.") { page.edits += 1 }
        if Self.exportKeys.contains(k) { page.exports += 1 }
        if k.hasPrefix("page.permissions.") || k == "group.page_permission_update" || k == "group.page_shared_to_web" { page.permissionChanges += 1 }
        if Self.shareKeys.contains(k) { page.shares += 1 }
        if Self.accessKeys.contains(k), page.gainedAccess.count < 100 {
            let who = e.detail("entity.person.email") ?? e.detail("entity.name") ?? e.detail("entity.bot.name") ?? e.detail("entity.id") ?? e.detail("member.person.email")
            page.gainedAccess.insert(who ?? (k.contains("integration") ? "integration" : "guest"))
        }
        pages[key] = page
    }

    /// Pages by exposure (see `PageStats.moreExposed`).
    public var pagesByExposure: [PageStats] { pages.values.sorted(by: PageStats.moreExposed) }

    /// Actors by events, most first.
    public var actorsByActivity: [ActorStats] { actors.values.sorted(by: ActorStats.moreActive) }

    /// `(key, count)` most frequent first, ties by key.
    public func top<K: Comparable>(_ counts: [K: Int], _ n: Int) -> [(K, Int)] {
        Array(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n))
    }
}
