/// The columns of an events table (CSV and workbook alike), each with the string id of its
/// header and how its cell is made from an event.
public enum EventColumn: String, CaseIterable, Sendable {
    case time
    case event
    case eventKey = "event_key"
    case category
    case actorName = "actor_name"
    case actorEmail = "actor_email"
    case actorType = "actor_type"
    case role
    case ipAddress = "ip_address"
    case platform
    case city
    case region
    case country
    case workspace
    case targetType = "target_type"
    case pageID = "page_id"
    case pageName = "page_name"
    case audience
    case details
    case eventID = "event_id"
    case source

    /// The header, in the localizer's language; the time column names its zone.
    public func header(_ l: Localizer) -> String {
        if self == .time { return l.string("column.time", ["zone": l.timeZoneShortLabel()]) }
        return l.string("column.\(rawValue)")
    }

    /// The cell text of `event` (the time column in the language's date-time form).
    public func text(_ e: AuditEvent, _ l: Localizer, sources: [String]) -> String {
        switch self {
        case .time: return l.dateTime(e.timestamp)
        case .event: return l.eventLabel(e.key)
        case .eventKey: return e.key
        case .category: return l.categoryLabel(ofKey: e.key)
        case .actorName: return e.actor.name
        case .actorEmail: return e.actor.email
        case .actorType: return l.valueLabel("actor_type", e.actor.type)
        case .role: return l.valueLabel("role", e.role)
        case .ipAddress: return e.ipAddress
        case .platform: return l.valueLabel("platform", e.platform)
        case .city: return e.city
        case .region: return e.region
        case .country: return l.countryName(e.country)
        case .workspace: return e.workspace
        case .targetType: return l.valueLabel("target_type", e.target.kind)
        case .pageID: return e.target.id
        case .pageName: return e.target.name
        case .audience: return e.audience.map { l.audienceLabel($0) } ?? ""
        case .details: return l.detailsText(e.details)
        case .eventID: return e.id
        case .source:
            return Self.sourceText(e.source.input < sources.count ? sources[e.source.input] : "?", e.source.line)
        }
    }

    /// `path:line`, made at its size in one go (by interpolation it had cost a tenth of an
    /// events row).
    static func sourceText(_ path: String, _ line: Int) -> String {
        var path = path
        var number = String(line)
        return path.withUTF8 { p in
            number.withUTF8 { n in
                let total = p.count + 1 + n.count
                return String(unsafeUninitializedCapacity: total) { out in
                    _ = out.initialize(fromContentsOf: p)
                    out[p.count] = UInt8(ascii: ":")
                    _ = UnsafeMutableBufferPointer(rebasing: out[(p.count + 1)...]).initialize(fromContentsOf: n)
                    return total
                }
            }
        }
    }
}

/// An event's cells as the events CSV shows them: every standard column in `EventColumn`
/// order (the time as text), then the inputs' own columns in the run's order. Made once per
/// event, on the thread that hands events on, for each output that shows them: the events CSV
/// writes them as they are, the workbook's rows take all but the time (a date cell there).
public struct EventTexts: Sendable {
    public let cells: [String]

    public init(_ e: AuditEvent, _ l: Localizer, sources: [String], extraColumns: [String]) {
        var cells = [String]()
        cells.reserveCapacity(EventColumn.allCases.count + extraColumns.count)
        for column in EventColumn.allCases { cells.append(column.text(e, l, sources: sources)) }
        if !extraColumns.isEmpty { cells += Field.values(of: e.extras, for: extraColumns) }
        self.cells = cells
    }

    /// Texts made elsewhere (a test's).
    init(cells: [String]) {
        self.cells = cells
    }
}
