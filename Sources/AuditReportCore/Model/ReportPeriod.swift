/// A calendar month in the report's time zone, as `[start, end)` in UTC.
public struct ReportPeriod: Equatable, Sendable {
    public var year: Int
    public var month: Int
    public var start: Timestamp
    public var end: Timestamp

    /// A problem with the `--month` value.
    public struct InvalidMonth: Error, Equatable, CustomStringConvertible {
        public var text: String
        public var description: String {
            let parts = text.split(separator: "-")
            if parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m), !(2000...9999).contains(y) {
                return "error: invalid month '\(text)'; the year must be from 2000 to 9999 (Notion's audit log began in 2022)"
            }
            return "error: invalid month '\(text.prefix(40))'; expected YYYY-MM, e.g. 2026-10"
        }
    }

    /// - Parameter text: `YYYY-MM`.
    public init(parsing text: String, zone: ZoneResolver) throws {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
            (1...12).contains(m), (2000...9999).contains(y)
        else { throw InvalidMonth(text: text) }
        self.init(year: y, month: m, zone: zone)
    }

    public init(year: Int, month: Int, zone: ZoneResolver) {
        self.year = year
        self.month = month
        let next = month == 12 ? (year + 1, 1) : (year, month + 1)
        start = zone.instant(ofLocal: CivilDateTime(year: year, month: month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0))
        end = zone.instant(ofLocal: CivilDateTime(year: next.0, month: next.1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0))
    }

    public func contains(_ t: Timestamp) -> Bool { t >= start && t < end }

    /// The month before this one, in the same zone.
    public func previous(zone: ZoneResolver) -> ReportPeriod {
        month == 1 ? ReportPeriod(year: year - 1, month: 12, zone: zone) : ReportPeriod(year: year, month: month - 1, zone: zone)
    }

    /// `2026-10`.
    public var identifier: String { "\(pad(year, 4))-\(pad(month, 2))" }

    /// Days in the month.
    public var dayCount: Int { Timestamp.daysInMonth(year: year, month: month) }
}
