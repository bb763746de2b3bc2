/// Turns one Notion SIEM event object (the inner object, unwrapped) into an `AuditEvent`:
/// details from `details` or the legacy member named after the event type, the page audience
/// in any spelling, and the target as a page, teamspace or other object.
struct SIEMEventNormalizer {
    let store: LocaleStore

    /// Top-level members read into fields; any other member is kept as a detail.
    private static let consumed: Set<String> = [
        "id", "timestamp", "workspace_id", "workspace_name", "actor", "ip_address", "platform", "type", "details", "p_enrichment",
    ]

    /// - Parameter fallbackTime: the wrapper's own time (e.g. Panther's `p_event_time`), used when
    ///   the event has none.
    /// - Returns: the event, or a message saying why there is none.
    func normalize(_ event: JSONObject, fallbackTime: String?, source: SourceLocation) -> Result<AuditEvent, NormalizeProblem> {
        guard let key = event["type"]?.scalarText, !key.isEmpty else {
            return .failure(.init("event has no 'type' (members: \(event.keys.prefix(8).joined(separator: ", ")))"))
        }
        guard let timeText = event["timestamp"]?.scalarText ?? fallbackTime else {
            return .failure(.init("event '\(key)' has no 'timestamp'"))
        }
        guard let parsed = TimestampParser.parse(timeText) else {
            return .failure(.init("unrecognized timestamp '\(timeText.prefix(60))'"))
        }
        let timestamp: Timestamp
        switch parsed {
        case .instant(let t): timestamp = t
        case .local(let c):
            // SIEM times without a zone are UTC (Panther stores them so).
            timestamp = Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, millisecond: c.millisecond)
        }
        var result = AuditEvent(id: event["id"]?.scalarText ?? "", timestamp: timestamp, key: key, source: source)
        let workspaceID = event["workspace_id"]?.scalarText ?? ""
        let workspaceName = event["workspace_name"]?.scalarText ?? ""
        result.workspace = workspaceName.isEmpty ? workspaceID : workspaceName
        result.ipAddress = event["ip_address"]?.scalarText ?? ""
        result.platform = event["platform"]?.scalarText ?? ""
        if let actor = event["actor"]?.objectValue {
            result.actor = Self.actor(actor)
        }
        var details: [Field] = []
        if !workspaceName.isEmpty && !workspaceID.isEmpty { details.append(Field("workspace_id", workspaceID)) }
        // Legacy payloads carry the details under the type's name, flat (`"page.content_edited": {…}`)
        // or nested along its path (`"page": {"content_edited": {…}}`).
        var nestedUnder: String?
        var detailObject = event["details"]?.objectValue ?? event[key]?.objectValue
        if detailObject == nil {
            // A type of dots only ("." or "..") has no segment at all.
            let path = key.split(separator: ".").map(String.init)
            var node: JSONObject? = path.first.flatMap { event[$0]?.objectValue }
            for segment in path.dropFirst() { node = node?[segment]?.objectValue }
            if path.count > 1, let node {
                detailObject = node
                nestedUnder = path[0]
            }
        }
        if let detailObject {
            for member in detailObject.members {
                switch member.key {
                case "page_audience":
                    if let text = member.value.scalarText {
                        if let level = store.audience(text) {
                            result.audience = level
                        } else {
                            details.append(Field("page_audience", text))
                        }
                    }
                case "page_name":
                    if let name = member.value.scalarText {
                        result.target.name = name
                        if result.target.kind.isEmpty { result.target.kind = "page" }
                    }
                case "teamspace":
                    Self.readTeamspace(member.value, into: &details)
                case "target":
                    if let target = member.value.objectValue {
                        Self.readTarget(target, into: &result.target, details: &details)
                    } else if let text = member.value.scalarText {
                        result.target.id = text
                    }
                default:
                    Self.flatten(member.value, name: member.key, into: &details, depth: 0)
                }
            }
        }
        for member in event.members where !Self.consumed.contains(member.key) && member.key != key && member.key != nestedUnder {
            if member.key == "teamspace" {
                Self.readTeamspace(member.value, into: &details)
            } else {
                Self.flatten(member.value, name: member.key, into: &details, depth: 0)
            }
        }
        if let enrichment = event["p_enrichment"]?.objectValue {
            Self.readEnrichment(enrichment, into: &result, details: &details)
            if !result.country.isEmpty { result.country = store.country(result.country) }
        }
        result.details = details
        return .success(result)
    }

    static func actor(_ object: JSONObject) -> Actor {
        var actor = Actor()
        actor.id = object["id"]?.scalarText ?? ""
        actor.type = object["type"]?.scalarText ?? ""
        actor.name = object["name"]?.scalarText ?? ""
        if let person = object["person"]?.objectValue {
            actor.email = person["email"]?.scalarText ?? ""
            if actor.name.isEmpty { actor.name = person["name"]?.scalarText ?? "" }
        }
        if actor.name.isEmpty, let bot = object["bot"]?.objectValue {
            actor.name = bot["name"]?.scalarText ?? bot["workspace_name"]?.scalarText ?? ""
        }
        if actor.email.isEmpty { actor.email = object["email"]?.scalarText ?? "" }
        return actor
    }

    /// A teamspace named in 2026 events, as an object (`{id, name}`) or a name: the `teamspace`
    /// detail holds its name (as a CSV export's Teamspace column), `teamspace.id` its id.
    private static func readTeamspace(_ value: JSONValue, into details: inout [Field]) {
        if let object = value.objectValue {
            let id = object["id"]?.scalarText ?? ""
            let name = object["name"]?.scalarText ?? ""
            if !name.isEmpty || !id.isEmpty { details.append(Field("teamspace", name.isEmpty ? id : name)) }
            if !name.isEmpty && !id.isEmpty { details.append(Field("teamspace.id", id)) }
        } else if let text = value.scalarText, !text.isEmpty {
            details.append(Field("teamspace", text))
        }
    }

    /// Panther's enrichment providers: `ipinfo_location` fills city, region and country (for the
    /// event's own IP address where it names several); `ipinfo_asn`, `ipinfo_privacy` and
    /// `tor_exit_nodes` become details. Each provider maps the path of an enriched field
    /// (`event.ip_address`, `p_any_ip_addresses`) to its findings, or a list of them.
    static func readEnrichment(_ enrichment: JSONObject, into event: inout AuditEvent, details: inout [Field]) {
        func record(_ provider: String) -> JSONObject? {
            guard let byPath = enrichment[provider]?.objectValue else { return nil }
            var candidates: [JSONObject] = []
            for member in byPath.members {
                if let object = member.value.objectValue { candidates.append(object) }
                if case .array(let items) = member.value { candidates += items.compactMap(\.objectValue) }
            }
            return candidates.first { $0["p_match"]?.scalarText == event.ipAddress } ?? candidates.first
        }
        if let location = record("ipinfo_location") {
            func fill(_ field: inout String, _ name: String) {
                if field.isEmpty, let value = location[name]?.scalarText { field = value }
            }
            fill(&event.city, "city")
            fill(&event.region, "region")
            fill(&event.country, "country")
        }
        if let asn = record("ipinfo_asn") {
            let text = [asn["asn"]?.scalarText, asn["name"]?.scalarText].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            if !text.isEmpty { details.append(Field("ip.asn", text)) }
            if let type = asn["type"]?.scalarText, !type.isEmpty { details.append(Field("ip.network_type", type)) }
        }
        if let privacy = record("ipinfo_privacy") {
            let flags = ["vpn", "proxy", "tor", "relay", "hosting"].filter { privacy[$0] == .bool(true) || privacy[$0]?.scalarText == "true" }
            if !flags.isEmpty { details.append(Field("ip.privacy", flags.joined(separator: ", "))) }
        }
        if record("tor_exit_nodes") != nil || enrichment["tor_exit_nodes"] != nil {
            details.append(Field("ip.tor_exit_node", "true"))
        }
    }

    /// `{type: "page_id", page_id}`, `{id, name, object: "teamspace"}`, `{type: "database_id", database_id}`.
    private static func readTarget(_ object: JSONObject, into target: inout Target, details: inout [Field]) {
        if let type = object["type"]?.scalarText, type.hasSuffix("_id"), let id = object[type]?.scalarText {
            target.kind = String(type.dropLast(3))
            target.id = id
        } else {
            if let id = object["id"]?.scalarText { target.id = id }
            if let kind = object["object"]?.scalarText { target.kind = kind }
        }
        if let name = object["name"]?.scalarText ?? object["title"]?.scalarText { target.name = name }
        if target.kind.isEmpty { target.kind = "page" }
        for member in object.members where !["type", "id", "object", "name", "title", object["type"]?.scalarText ?? ""].contains(member.key) {
            flatten(member.value, name: "target.\(member.key)", into: &details, depth: 1)
        }
    }

    /// Objects become dotted names; arrays of scalars one comma-separated value; deeper or mixed
    /// structures their compact JSON text.
    static func flatten(_ value: JSONValue, name: String, into details: inout [Field], depth: Int) {
        switch value {
        case .null:
            return
        case .object(let object) where depth < 4:
            for member in object.members {
                flatten(member.value, name: "\(name).\(member.key)", into: &details, depth: depth + 1)
            }
        case .array(let items):
            let scalars = items.compactMap(\.scalarText)
            if scalars.count == items.count {
                details.append(Field(name, scalars.joined(separator: ", ")))
            } else {
                details.append(Field(name, value.jsonText))
            }
        default:
            details.append(Field(name, value.scalarText ?? value.jsonText))
        }
    }
}

/// Why a record yielded no event; becomes a warning at the record's line.
struct NormalizeProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
