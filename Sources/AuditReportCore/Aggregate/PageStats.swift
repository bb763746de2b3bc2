/// One page's part of the month: the per-page notification audience breakdown.
public struct PageStats: Equatable, Sendable {
    /// Page id, or the title when the inputs give no id.
    public var key: String
    public var id: String
    /// The latest known title.
    public var title: String
    public var events = 0
    /// Events per audience: index 0 for events with no audience, then private … shared to web.
    public var eventsByAudience = [0, 0, 0, 0, 0]
    /// Audience at the page's first and last event of the period that states one.
    public var firstAudience: Audience?
    public var lastAudience: Audience?
    /// The latest widening of the audience within the period, and when it happened.
    public var widenedFrom: Audience?
    public var widenedTo: Audience?
    public var widenedAt: Timestamp?
    /// People who acted on the page (counted up to 10,000; `ReportAggregator.people(onPage:)`
    /// names them). A count, not their names: the tables of every output are made from these
    /// stats, and a busy month's pages held a set of names each, made again for every table.
    public var people = 0
    public var views = 0
    public var edits = 0
    /// Page exports (`page.exported`); file downloads are counted apart.
    public var exports = 0
    public var downloads = 0
    public var permissionChanges = 0
    public var shares = 0
    /// Guests and integrations that were given access during the period.
    public var gainedAccess = Set<String>()
    public var firstEvent: Timestamp
    public var lastEvent: Timestamp

    /// The widest audience the page had in the period.
    public var widestAudience: Audience? {
        for (index, level) in Audience.allCases.enumerated().reversed() where eventsByAudience[index + 1] > 0 { return level }
        return nil
    }

    public var widened: Bool { widenedAt != nil }

    /// Exposure order: shared to web first, then shared externally, then pages whose audience
    /// widened, then by events; ties by title and key so the order is stable.
    public static func moreExposed(_ a: PageStats, _ b: PageStats) -> Bool {
        func rank(_ p: PageStats) -> Int {
            if p.lastAudience == .sharedToWeb || p.widestAudience == .sharedToWeb { return 0 }
            if p.lastAudience == .sharedExternally || p.widestAudience == .sharedExternally { return 1 }
            if p.widened { return 2 }
            return 3
        }
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb }
        if a.events != b.events { return a.events > b.events }
        if a.title != b.title { return a.title < b.title }
        return a.key < b.key
    }
}

/// One actor's part of the month.
public struct ActorStats: Equatable, Sendable {
    public var identity: String
    public var name: String
    public var email: String
    public var type: String
    public var events = 0
    public var byCategory: [String: Int] = [:]
    /// How many pages the actor acted on.
    public var pagesTouched = 0
    /// Exports of any kind (pages, the workspace, the audit log …); file downloads apart.
    public var exports = 0
    public var downloads = 0
    public var firstEvent: Timestamp
    public var lastEvent: Timestamp
    /// IP addresses and countries seen (at most `ReportAggregator.maxDistinctPerActor` each).
    public var ipAddresses = Set<String>()
    public var countries = Set<String>()

    public static func moreActive(_ a: ActorStats, _ b: ActorStats) -> Bool {
        a.events != b.events ? a.events > b.events : a.identity < b.identity
    }
}
