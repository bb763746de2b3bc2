/// Everything a report shows besides the event rows, gathered once for every renderer.
public struct ReportFacts {
    /// The report's month; nil for a conversion.
    public var period: ReportPeriod?
    public var aggregate: ReportAggregator
    public var inputs: [EventPipeline.InputSummary]
    public var inputNames: [String]
    public var unmapped: [EventPipeline.UnmappedKey]
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
