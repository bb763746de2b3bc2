/// What a reviewer needs to act on a finding, gathered from its events: who (id, e-mail, type),
/// which event types, which pages or teamspaces, who was affected (the guest, the member, the
/// integration), permissions before and after, settings and their new state, an export's days,
/// the place and address of a login. Each list keeps at most `limit` distinct values.
public struct FindingContext: Equatable, Sendable {
    static let limit = 10

    public var actorIDs: [String] = []
    public var actorTypes: [String] = []
    public var eventKeys: [String] = []
    /// Pages, teamspaces, databases: "name (id)".
    public var targets: [String] = []
    public var teamspaces: [String] = []
    public var workspaces: [String] = []
    /// The guest, member or integration a change concerned.
    public var affected: [String] = []
    /// "none → read_only".
    public var permissions: [String] = []
    /// "key=state" of settings changed (state "?" when the event does not say).
    public var settings: [String] = []
    public var durations: [String] = []
    /// Places of logins (city, region, country, IP; see `place`).
    public var places: [String] = []
    public var ipAddresses: [String] = []
    /// For a login from a new place: the places seen before it.
    public var earlierPlaces: [String] = []

    static func add(_ value: String, to list: inout [String]) {
        guard !value.isEmpty, list.count < limit, !list.contains(value) else { return }
        list.append(value)
    }

    /// The event's part of a finding's context.
    init(_ e: AuditEvent) {
        FindingContext.add(e.actor.id, to: &actorIDs)
        FindingContext.add(e.actor.type, to: &actorTypes)
        FindingContext.add(e.key, to: &eventKeys)
        if !e.target.isEmpty {
            let target = e.target.name.isEmpty ? e.target.id : e.target.id.isEmpty || e.target.id == e.target.name ? e.target.name : "\(e.target.name) (\(e.target.id))"
            if e.target.kind == "teamspace" { FindingContext.add(target, to: &teamspaces) } else { FindingContext.add(target, to: &targets) }
        }
        FindingContext.add(e.detail("teamspace") ?? "", to: &teamspaces)
        FindingContext.add(e.workspace, to: &workspaces)
        for name in ["entity.person.email", "member.person.email", "entity.email", "entity.name", "entity.bot.name", "member.name", "new_owner.person.email", "entity.id", "member.id"] {
            if let who = e.detail(name) {
                FindingContext.add(who, to: &affected)
                break
            }
        }
        if e.detail("old_permission") != nil || e.detail("new_permission") != nil {
            FindingContext.add("\(e.detail("old_permission") ?? "?") → \(e.detail("new_permission") ?? "?")", to: &permissions)
        } else if e.detail("old_role") != nil || e.detail("new_role") != nil {
            FindingContext.add("\(e.detail("old_role") ?? "?") → \(e.detail("new_role") ?? "?")", to: &permissions)
        }
        // A setting's new state; "?" only for a switch whose event does not say it (an export
        // row), not for events that are no switch (a key revoked, an owner added).
        let isSetting = e.key.containsASCII(".settings.") || e.key.hasPrefix("ui.organization.") || e.key.hasPrefix("workspace.mcp.") || e.key.hasPrefix("workspace.ekm.")
        if isSetting || FindingContext.isSwitch(e.key) {
            if let state = e.detail("state") ?? e.detail("value") {
                FindingContext.add(e.key + "=" + state, to: &settings)
            } else if FindingContext.isSwitch(e.key) {
                FindingContext.add(e.key + "=?", to: &settings)
            }
        }
        FindingContext.add(e.detail("duration_in_days") ?? "", to: &durations)
        if !e.city.isEmpty || !e.country.isEmpty || !e.region.isEmpty {
            FindingContext.add(FindingContext.place(city: e.city, region: e.region, country: e.country, ip: e.ipAddress), to: &places)
        }
        FindingContext.add(e.ipAddress, to: &ipAddresses)
    }

    init() {}

    /// Event types that switch a setting on or off (or set its value).
    static func isSwitch(_ key: String) -> Bool {
        key.hasSuffix("_setting_updated") || key.hasSuffix("_settings_updated") || key.hasSuffix("_config_updated") || key.hasSuffix("_toggled")
    }

    /// A place as stored: its parts joined by U+001F (the renderer names the country in its
    /// language).
    static func place(city: String, region: String = "", country: String, ip: String = "") -> String {
        [city, region, country, ip].joined(separator: "\u{1F}")
    }

    mutating func merge(_ other: FindingContext) {
        for (mine, theirs) in [
            (\FindingContext.actorIDs, other.actorIDs), (\.actorTypes, other.actorTypes), (\.eventKeys, other.eventKeys), (\.targets, other.targets),
            (\.teamspaces, other.teamspaces), (\.workspaces, other.workspaces), (\.affected, other.affected), (\.permissions, other.permissions),
            (\.settings, other.settings), (\.durations, other.durations), (\.places, other.places), (\.ipAddresses, other.ipAddresses),
            (\.earlierPlaces, other.earlierPlaces),
        ] as [(WritableKeyPath<FindingContext, [String]>, [String])] {
            for value in theirs { FindingContext.add(value, to: &self[keyPath: mine]) }
        }
    }
}
