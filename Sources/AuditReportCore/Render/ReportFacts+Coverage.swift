/// The coverage verdict and its details as words of the report's language.
extension ReportFacts {
    /// The verdict line: "Complete: …", "Partial: …", "No data: …".
    public func verdictText(_ l: Localizer) -> String? {
        guard let c = coverage else { return nil }
        switch c.verdict {
        case .complete: return l.string("coverage.complete")
        case .partial: return l.string("coverage.partial")
        case .noData: return l.string("coverage.no_data", ["span": inputSpanText(l)])
        }
    }

    /// What is missing, one line each; then notes on what inputs of their kind cannot hold.
    public func coverageDetails(_ l: Localizer) -> [String] {
        coverageMissing(l) + coverageNotes(l)
    }

    /// What is missing, one line each.
    public func coverageMissing(_ l: Localizer) -> [String] {
        guard let c = coverage else { return [] }
        var lines: [String] = []
        if let gap = c.missingStart { lines.append(l.string("coverage.missing_start", ["time": l.dateTime(gap.end)])) }
        if let gap = c.missingEnd { lines.append(l.string("coverage.missing_end", ["time": l.dateTime(gap.start)])) }
        for gap in c.gaps {
            lines.append(l.string("coverage.gap", ["start": l.dateTime(gap.start), "end": l.dateTime(gap.end), "hours": l.count(gap.hours, "hour")]))
        }
        return lines
    }

    /// What inputs of their kind cannot hold (the export's lag, organization events).
    public func coverageNotes(_ l: Localizer) -> [String] {
        guard let c = coverage else { return [] }
        var lines: [String] = []
        if c.hasExport, let last = c.inputs.filter({ !$0.isStream }).compactMap(\.last).max() {
            lines.append(l.string("coverage.export_lag", ["time": l.dateTime(last)]))
        }
        if c.hasStream && !c.hasExport { lines.append(l.string("coverage.organization_events")) }
        return lines
    }

    /// "01.10.2026 00:00:00 – 23.10.2026 17:40:00", the span of all events read, or "no events".
    func inputSpanText(_ l: Localizer) -> String {
        let firsts = inputs.compactMap(\.first)
        let lasts = inputs.compactMap(\.last)
        guard let first = firsts.min(), let last = lasts.max() else { return l.string("coverage.no_events_at_all") }
        return l.string("summary.period_value", ["start": l.dateTime(first), "end": l.dateTime(last)])
    }
}

extension ReportTable {
    /// Per input: its span, whether it covers the period's start and end, its gaps and empty days.
    public static func coverage(_ facts: ReportFacts, _ l: Localizer) -> ReportTable {
        let headers = ["column.input_file", "column.first_event", "column.last_event", "column.covers_start", "column.covers_end", "column.gaps", "column.days_without_events"].map { l.string($0) }
        let rows = (facts.coverage?.inputs ?? []).map { c -> [Cell] in
            let gaps = c.isStream ? l.count(c.gaps.count, "gap") + (c.gaps.isEmpty ? "" : " (" + l.count(c.gaps.reduce(0) { $0 + $1.hours }, "hour") + ")") : ""
            return [
                .text(c.index < facts.inputNames.count ? facts.inputNames[c.index] : "?"), c.first.map { .time($0) } ?? .empty, c.last.map { .time($0) } ?? .empty,
                .text(l.string(c.coversStart ? "value.yes" : "value.no")), .text(l.string(c.coversEnd ? "value.yes" : "value.no")), .text(gaps),
                .text(c.daysWithoutEvents.map(String.init).joined(separator: ", ")),
            ]
        }
        return ReportTable(headers: headers, rows: rows)
    }
}
