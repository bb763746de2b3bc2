import Foundation

/// Everything a report shows besides the event rows, gathered once for every renderer.
public struct ReportFacts {
    /// The report's month; nil for a conversion.
    public var period: ReportPeriod?
    public var aggregate: ReportAggregator
    public var inputs: [EventPipeline.InputSummary]
    public var inputNames: [String]
    public var unmapped: [EventPipeline.UnmappedKey]
    /// Events of unmapped types past the ones listed (see `EventPipeline.maxUnmapped`).
    public var unmappedBeyondLimit = 0
    /// The report's fixed date (`SOURCE_DATE_EPOCH`, else the end of the period).
    public var reportDate: Timestamp
    /// Whether the inputs reached into the month before (for the comparison).
    public var hasPreviousMonth: Bool { aggregate.previousTotal > 0 }
    /// Event rows left out of the workbook by `--max-event-rows`.
    public var omittedEventRows = 0
    /// Sheets the events fill in the workbook.
    public var eventSheets = 1
    /// Warnings about the input printed during the run.
    public var warnings = 0
    /// What the rules found, most severe first; nil when findings were not computed (convert).
    public var findings: [Finding]?
    public var rules = FindingRules(rules: [])
    /// The access-requests section, when a ticket export was among the inputs.
    public var accessRequests: AccessRequests?
    /// How the zone of zone-less CSV times was decided; nil when no input had such times.
    public var csvZone: CSVZoneDecision?
    /// How completely the inputs cover the period (a report's; nil for a conversion).
    public var coverage: Coverage?
    /// SHA-256 of each input as read (empty when not computed, as in a conversion).
    public var inputDigests: [String] = []
    /// The run's warnings and notes up to the moment the outputs are made, as printed.
    public var diagnostics: [String] = []
    /// The month before, from its twin, when it was found.
    public var comparison: MonthComparison?
    /// Earlier months' twins (up to eleven, oldest first) for the trend.
    public var history: [MonthComparison] = []
    public var review: Review?
    /// Per rule id: the events of the period it looked at.
    public var considered: [String: Int] = [:]

    /// "Events +12, people −3, …" since the month before; nil without its twin.
    public func keyFigureChanges(_ l: Localizer) -> String? {
        guard let c = comparison else { return nil }
        let parts = keyFigures.compactMap { key, value -> String? in
            guard let before = c.keyFigures[key] else { return nil }
            let delta = value - before
            return l.string("figure.name.\(key)") + " " + (delta == 0 ? "±0" : (delta > 0 ? "+" : "\u{2212}") + l.number(abs(delta)))
        }
        return l.string("summary.compared_value", ["month": l.monthTitle(c.month), "changes": parts.joined(separator: ", ")])
    }

    /// The key figures every format leads with, by their stable names.
    public var keyFigures: [(String, Int)] {
        let a = aggregate
        let pages = a.pagesByExposure
        return [
            ("events", a.total), ("people", a.actors.count), ("pages", pages.count), ("exports", a.actors.values.reduce(0) { $0 + $1.exports }),
            ("pages_on_web", pages.filter { $0.widestAudience == .sharedToWeb }.count), ("pages_widened", pages.filter(\.widened).count),
            ("findings", findings?.count ?? 0), ("duplicates_dropped", duplicatesDropped), ("unmapped_event_types", unmapped.count),
        ]
    }

    /// The state of the data the report shows: the end of the period (not when the file was made).
    public func dataAsOfText(_ l: Localizer) -> String {
        guard let period else { return l.dateTime(reportDate) }
        return l.string("summary.data_as_of_value", ["time": l.dateTime(period.end)])
    }

    public var eventsWithoutPage: Int { aggregate.eventsWithoutPage }

    public init(period: ReportPeriod?, aggregate: ReportAggregator, inputs: [EventPipeline.InputSummary], inputNames: [String], unmapped: [EventPipeline.UnmappedKey], reportDate: Timestamp) {
        self.period = period
        self.aggregate = aggregate
        self.inputs = inputs
        self.inputNames = inputNames
        self.unmapped = unmapped
        self.reportDate = reportDate
    }

    public var duplicatesDropped: Int { inputs.reduce(0) { $0 + $1.duplicatesDropped } }
    /// Events read over all inputs (rows skipped not included).
    public var eventsRead: Int { inputs.reduce(0) { $0 + $1.read.events } }

    /// How the zone of the export's zone-less times was decided, for the data-quality section.
    public func csvZoneText(_ l: Localizer) -> String? {
        guard let d = csvZone else { return nil }
        let files = d.inputs.map { $0 < inputNames.count ? inputNames[$0] : "?" }.joined(separator: ", ")
        let zone = l.timeZoneLabel(d.zone)
        switch d.how {
        case .forced: return l.string("quality.csv_zone_forced", ["files": files, "zone": zone])
        case .assumed: return l.string("quality.csv_zone_assumed", ["files": files, "zone": zone])
        case .inferred:
            let evidence = d.candidates.map { c in
                l.string("quality.csv_zone_matches", ["zone": TimeZone(identifier: c.zone).map { l.timeZoneLabel($0) } ?? c.zone, "count": l.number(c.matches)])
            }.joined(separator: "; ")
            return l.string("quality.csv_zone_inferred", ["files": files, "zone": zone, "evidence": evidence, "compared": l.number(d.compared)])
        }
    }

    /// "4,001 = 1,000 + 2 + 2,999": every event read, in the period, outside it or a duplicate.
    public func reconciliationText(_ l: Localizer) -> String {
        l.string("summary.reconciliation_value", [
            "read": l.number(eventsRead), "in": l.number(inputs.reduce(0) { $0 + $1.inPeriod }), "outside": l.number(outsidePeriod),
            "duplicates": l.number(duplicatesDropped),
        ])
    }
    public var outsidePeriod: Int { inputs.reduce(0) { $0 + $1.outsidePeriod } }
    public var rowsSkipped: Int { inputs.reduce(0) { $0 + $1.read.skipped } }
}
