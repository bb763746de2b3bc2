/// How completely the inputs cover the report period, and the verdict an auditor reads first.
///
/// The rules, stated in every output:
/// - An input covers the period's start when it has an event before it or within its first 24
///   hours, or when at most three days lie before its first event and none of their hours is
///   one its rhythm expects events in (below); its end likewise. A quiet night or weekend is no
///   gap; a week without data is.
/// - A stream gap is a run of hours without any event of the stream, each an hour in which the
///   stream's own rhythm says events come: on at least three in four of the period's other days
///   of the same kind (working day or weekend) within the stream's span, and on at least four,
///   that hour of the day has events. A gap that an export covering that time fills is none.
/// - Days without events are days of the period within an input's span with no event of it.
/// - Complete: the inputs together cover the start and the end, and no gap is left; no data: no
///   event in the period; partial otherwise, with what is missing.
public struct Coverage: Equatable, Sendable {
    public enum Verdict: String, Equatable, Sendable {
        case complete
        case partial
        case noData = "no_data"
    }

    /// A run of hours without events where events were expected.
    public struct Gap: Equatable, Sendable {
        public var start: Timestamp
        public var end: Timestamp
        public var hours: Int { Int((end.milliseconds - start.milliseconds) / 3_600_000) }
    }

    /// One input's part.
    public struct Input: Equatable, Sendable {
        public var index: Int
        /// Whether it is a stream (SIEM JSON, Panther) rather than an export.
        public var isStream: Bool
        public var first: Timestamp?
        public var last: Timestamp?
        public var coversStart: Bool
        public var coversEnd: Bool
        public var gaps: [Gap]
        /// Days of the period (1-based) within its span without any of its events.
        public var daysWithoutEvents: [Int]
    }

    public var verdict: Verdict
    public var inputs: [Input]
    /// Where the period's beginning or end has no input: from the period's start to the first
    /// event, from the last event to the period's end.
    public var missingStart: Gap?
    public var missingEnd: Gap?
    /// Stream gaps no export fills.
    public var gaps: [Gap]
    public var hasExport: Bool
    public var hasStream: Bool

    static let edge: Int64 = 24 * 3_600_000
    static let excusedHours = 72

    /// - Parameter eventsInPeriod: events in the report after duplicates are dropped.
    public init(period: ReportPeriod, inputs summaries: [EventPipeline.InputSummary], eventsInPeriod: Int, zone: ZoneResolver) {
        let start = period.start.milliseconds
        let end = period.end.milliseconds
        var inputs: [Input] = []
        for (index, s) in summaries.enumerated() where s.read.kind != .ticketsCSV {
            let isStream = s.read.kind == .siemJSON || s.read.kind == .pantherCSV
            var input = Input(
                index: index, isStream: isStream, first: s.first, last: s.last,
                coversStart: (s.first?.milliseconds).map { $0 <= start + Self.edge } ?? false,
                coversEnd: (s.last?.milliseconds).map { $0 >= end - Self.edge } ?? false, gaps: [], daysWithoutEvents: [])
            if let first = s.first, let last = s.last, !s.hourly.isEmpty {
                input.daysWithoutEvents = Self.emptyDays(s.hourly, period: period, first: first, last: last, zone: zone)
                let rhythm = Rhythm(s.hourly, period: period, first: first, last: last, zone: zone)
                if isStream { input.gaps = rhythm.gaps() }
                let firstHour = Int((first.milliseconds - start) / 3_600_000)
                let lastHour = Int((last.milliseconds - start) / 3_600_000)
                // Only a short edge (up to three days, a long weekend) is excused by the rhythm.
                let beforeFirst = max(0, min(firstHour, s.hourly.count))
                if !input.coversStart && beforeFirst <= Self.excusedHours {
                    input.coversStart = !(0..<beforeFirst).contains(where: rhythm.expects)
                }
                let afterLast = min(max(0, lastHour + 1), s.hourly.count)
                if !input.coversEnd && s.hourly.count - afterLast <= Self.excusedHours {
                    input.coversEnd = last.milliseconds >= start && !(afterLast..<s.hourly.count).contains(where: rhythm.expects)
                }
            }
            inputs.append(input)
        }
        self.inputs = inputs
        hasExport = inputs.contains { !$0.isStream && $0.first != nil }
        hasStream = inputs.contains { $0.isStream && $0.first != nil }
        let firsts = inputs.compactMap(\.first)
        let lasts = inputs.compactMap(\.last)
        if let earliest = firsts.min(), !inputs.contains(where: \.coversStart) {
            missingStart = Gap(start: period.start, end: Timestamp(milliseconds: min(max(earliest.milliseconds, start), end)))
        }
        if let latest = lasts.max(), !inputs.contains(where: \.coversEnd) {
            missingEnd = Gap(start: Timestamp(milliseconds: max(min(latest.milliseconds, end), start)), end: period.end)
        }
        // A stream gap an export spanning it fills is none.
        let exports = inputs.filter { !$0.isStream }.compactMap { i in i.first.flatMap { f in i.last.map { (f, $0) } } }
        gaps = inputs.flatMap(\.gaps).filter { gap in !exports.contains { $0.0 <= gap.start && $0.1 >= gap.end } }
        if eventsInPeriod == 0 {
            verdict = .noData
        } else if missingStart == nil && missingEnd == nil && gaps.isEmpty && !firsts.isEmpty {
            verdict = .complete
        } else {
            verdict = .partial
        }
    }

    /// Days within [first, last] whose hours hold no event.
    static func emptyDays(_ hourly: [Int32], period: ReportPeriod, first: Timestamp, last: Timestamp, zone: ZoneResolver) -> [Int] {
        var perDay = [Int32](repeating: 0, count: period.dayCount)
        for (h, count) in hourly.enumerated() where count > 0 {
            let day = zone.civil(Timestamp(milliseconds: period.start.milliseconds + Int64(h) * 3_600_000)).day
            if day >= 1 && day <= perDay.count { perDay[day - 1] += count }
        }
        let firstDay = first < period.start ? 1 : zone.civil(first).day
        let lastDay = last >= period.end ? period.dayCount : zone.civil(last).day
        guard firstDay <= lastDay else { return [] }
        return (firstDay...lastDay).filter { perDay[$0 - 1] == 0 }
    }

    /// When an input has events: per hour of the day and kind of day (working day, weekend),
    /// the days of its span, and those with events.
    struct Rhythm {
        let hourly: [Int32]
        let start: Int64
        let inSpan: (Int) -> Bool
        var slots: [(hour: Int, weekend: Bool, day: Int)] = []
        var seen = [[Set<Int>]](repeating: [Set<Int>(), Set<Int>()], count: 24)
        var active = [[Set<Int>]](repeating: [Set<Int>(), Set<Int>()], count: 24)

        init(_ hourly: [Int32], period: ReportPeriod, first: Timestamp, last: Timestamp, zone: ZoneResolver) {
            self.hourly = hourly
            let start = period.start.milliseconds
            self.start = start
            inSpan = { h in
                let t = start + Int64(h) * 3_600_000
                return t + 3_600_000 > first.milliseconds && t <= last.milliseconds
            }
            for h in 0..<hourly.count {
                let c = zone.civil(Timestamp(milliseconds: start + Int64(h) * 3_600_000))
                slots.append((c.hour, c.isoWeekday >= 6, c.day))
            }
            for (h, slot) in slots.enumerated() where inSpan(h) {
                seen[slot.hour][slot.weekend ? 1 : 0].insert(slot.day)
                if hourly[h] > 0 { active[slot.hour][slot.weekend ? 1 : 0].insert(slot.day) }
            }
        }

        /// Whether the input's rhythm expects events in hour `h` of the period: on at least
        /// three in four of the other days of the same kind, and on at least four, it has events
        /// in that hour of the day.
        func expects(_ h: Int) -> Bool {
            let slot = slots[h]
            let kind = slot.weekend ? 1 : 0
            let others = seen[slot.hour][kind].subtracting([slot.day]).count
            let withEvents = active[slot.hour][kind].subtracting([slot.day]).count
            return others >= 4 && withEvents >= 4 && withEvents * 4 >= others * 3
        }

        /// Runs of empty hours within the span in which events are expected.
        func gaps() -> [Gap] {
            var result: [Gap] = []
            var open: Int?
            for h in 0...hourly.count {
                let missing = h < hourly.count && inSpan(h) && hourly[h] == 0 && expects(h)
                if missing {
                    if open == nil { open = h }
                } else if let o = open {
                    result.append(Gap(start: Timestamp(milliseconds: start + Int64(o) * 3_600_000), end: Timestamp(milliseconds: start + Int64(h) * 3_600_000)))
                    open = nil
                }
            }
            return result
        }
    }
}
