/// Who reviews the report and when the next review is due (`--reviewer`, `--review-cadence`).
public struct Review: Equatable, Sendable {
    public enum Cadence: String, Sendable, CaseIterable {
        case monthly
        case weekly
    }

    /// "Name <e-mail>" as given.
    public var reviewer: String
    public var cadence: Cadence

    public init(reviewer: String, cadence: Cadence) {
        self.reviewer = reviewer
        self.cadence = cadence
    }

    /// The next review: a week after the period ends, or the end of the following month.
    public func nextDue(after period: ReportPeriod, zone: ZoneResolver) -> Timestamp {
        switch cadence {
        case .weekly: return Timestamp(milliseconds: period.end.milliseconds + 7 * 86_400_000)
        case .monthly:
            let next = period.month == 12 ? ReportPeriod(year: period.year + 1, month: 1, zone: zone) : ReportPeriod(year: period.year, month: period.month + 1, zone: zone)
            return next.end
        }
    }
}
