/// One access-request audit ticket as Opal files it into a Notion database, with the fixed
/// schema Title, Status, Reporter, Priority, Created time, Last edited time.
public struct Ticket: Equatable, Sendable {
    public var title: String
    /// `Open`, `In Progress` or `Completed`.
    public var status: String
    public var reporter: String
    /// A multi-select: any of `Low`, `Medium`, `High`, `Urgent`.
    public var priorities: [String]
    public var created: Timestamp?
    public var lastEdited: Timestamp?
    public var source: SourceLocation

    public init(title: String, status: String, reporter: String, priorities: [String], created: Timestamp?, lastEdited: Timestamp?, source: SourceLocation = SourceLocation(input: 0, line: 0)) {
        self.title = title
        self.status = status
        self.reporter = reporter
        self.priorities = priorities
        self.created = created
        self.lastEdited = lastEdited
        self.source = source
    }

    /// The schema's column names, in order, as Notion exports and imports them.
    public static let columns = ["Title", "Status", "Reporter", "Priority", "Created time", "Last edited time"]
    public static let statuses = ["Open", "In Progress", "Completed"]
    public static let priorityValues = ["Low", "Medium", "High", "Urgent"]

    /// Priority from a finding's severity: high → High, medium → Medium, low and info → Low.
    /// (Urgent is left to people.)
    public static func priority(for severity: Severity) -> String {
        switch severity {
        case .high: return "High"
        case .medium: return "Medium"
        case .low, .info: return "Low"
        }
    }

    /// Notion's own date form in database exports, in English whatever the UI language:
    /// `October 9, 2026 12:00 PM`.
    public static func notionDate(_ c: CivilDateTime) -> String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let hour = c.hour % 12 == 0 ? 12 : c.hour % 12
        return "\(months[c.month - 1]) \(c.day), \(c.year) \(hour):\(pad(c.minute, 2)) \(c.hour < 12 ? "AM" : "PM")"
    }
}
