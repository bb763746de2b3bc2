/// The access-requests section: Opal's tickets by status and priority, the open urgent and
/// high ones, and how long completed tickets took.
public struct AccessRequests: Equatable, Sendable {
    public var total: Int
    /// Counts in the schema's order, then any other value met.
    public var byStatus: [(String, Int)]
    public var byPriority: [(String, Int)]
    /// Tickets not completed whose priority includes Urgent or High, oldest first.
    public var openUrgentOrHigh: [Ticket]
    /// Median hours from creation to last edit of completed tickets, when there is any.
    public var medianCompletionHours: Double?

    public static func == (a: AccessRequests, b: AccessRequests) -> Bool {
        a.total == b.total && a.byStatus.elementsEqual(b.byStatus, by: ==) && a.byPriority.elementsEqual(b.byPriority, by: ==)
            && a.openUrgentOrHigh == b.openUrgentOrHigh && a.medianCompletionHours == b.medianCompletionHours
    }

    public init(_ tickets: [Ticket]) {
        total = tickets.count
        func ordered(_ counts: [String: Int], _ known: [String]) -> [(String, Int)] {
            known.map { ($0, counts[$0, default: 0]) } + counts.filter { !known.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        var status: [String: Int] = [:]
        var priority: [String: Int] = [:]
        for t in tickets {
            status[t.status.isEmpty ? "—" : t.status, default: 0] += 1
            for p in t.priorities { priority[p, default: 0] += 1 }
        }
        byStatus = ordered(status, Ticket.statuses)
        byPriority = ordered(priority, Ticket.priorityValues.reversed())
        openUrgentOrHigh = tickets.filter { $0.status.caseInsensitiveCompare("Completed") != .orderedSame && $0.priorities.contains { ["urgent", "high"].contains($0.lowercased()) } }
            .sorted { a, b in
                let (ta, tb) = (a.created?.milliseconds ?? .max, b.created?.milliseconds ?? .max)
                return ta != tb ? ta < tb : a.title < b.title
            }
        let durations = tickets.filter { $0.status.caseInsensitiveCompare("Completed") == .orderedSame }.compactMap { t -> Double? in
            guard let c = t.created, let e = t.lastEdited, e >= c else { return nil }
            return Double(e.milliseconds - c.milliseconds) / 3_600_000
        }.sorted()
        if durations.isEmpty {
            medianCompletionHours = nil
        } else if durations.count % 2 == 1 {
            medianCompletionHours = durations[durations.count / 2]
        } else {
            medianCompletionHours = (durations[durations.count / 2 - 1] + durations[durations.count / 2]) / 2
        }
    }
}
