import Foundation

/// The workbook: summary, findings, pages, people, rules, access requests, then the events (the
/// biggest last; their rows are written on the second core while the stream is read), and
/// unmapped types when there are any.
final class WorkbookOutput: ReportOutput {
    let file: AtomicOutput
    private let context: OutputContext
    private let workbook: XLSXWorkbook
    private let summarySheet: XLSXSheet
    private let findingsSheet: XLSXSheet
    /// Made before the events sheets, so they come first; filled at the end.
    private var pagesSheet, actorsSheet, rulesSheet: XLSXSheet?
    private var accessSheet: XLSXSheet?
    private var events: XLSXEventSheetWriter?
    private var relay: EventRelay<Taken>?
    /// An event as the writer thread gets it: with its texts made (the events CSV's), only its
    /// time, place and texts, so that handing it over retains one array, not each of the
    /// event's twenty-odd texts (and releases them on the writer thread); else the event.
    private enum Taken {
        case texts(Timestamp, SourceLocation, EventTexts)
        case event(AuditEvent)
    }
    /// The workbook finishes on its own thread (see `finishesOnItsOwnThread`), with its own localizer.
    private let localizer: Localizer
    var finishesOnItsOwnThread: Bool { true }
    var takesOnItsOwnThread: Bool { true }

    init(_ context: OutputContext, name: String) throws {
        self.context = context
        let l = context.localizer
        file = try context.file(name)
        localizer = try l.copy()
        workbook = try XLSXWorkbook(path: file.temporaryPath, displayPath: file.finalPath, created: context.reportDate, temporaryDirectory: context.options.temporaryDirectory.path)
        summarySheet = try workbook.addSheet(XLSXText.sheetName(l.string("sheet.summary"), existing: []))
        findingsSheet = try workbook.addSheet(XLSXText.sheetName(l.string("sheet.findings"), existing: workbook.names))
    }

    var files: [AtomicOutput] { [file] }

    /// It uses the events' texts when the run makes them (for the events CSV), but does not ask
    /// for them: made for it alone, they would cost the main thread a date text per event that
    /// the workbook does not show (its time is a date cell), and the writer thread makes them
    /// itself then.
    func take(_ event: AuditEvent, texts: EventTexts?) throws {
        if events == nil { try startEvents() }
        guard let relay, let events else { return }
        if let texts, events.takes(texts) {
            try relay.send(.texts(event.timestamp, event.source, texts))
        } else {
            try relay.send(.event(event))
        }
    }

    /// The events sheets and their writer thread. The inputs' own columns are known once they
    /// are read; the rows get a localizer of their own, on their own thread.
    private func startEvents() throws {
        // The inputs are known by now: whether a ticket export is among them too.
        func add(_ id: String) throws -> XLSXSheet { try workbook.addSheet(XLSXText.sheetName(localizer.string(id), existing: workbook.names)) }
        pagesSheet = try add("sheet.pages")
        actorsSheet = try add("sheet.actors")
        rulesSheet = try add("sheet.rules")
        if context.pipeline.inputs.contains(where: { $0.read.kind == .ticketsCSV }) { accessSheet = try add("sheet.access") }
        let writer = XLSXEventSheetWriter.forRun(
            workbook: workbook, localizer: try localizer.copy(), pipeline: context.pipeline, sources: context.sources,
            rowsPerSheet: context.options.rowsPerSheet, maxRows: context.options.maxEventRows)
        let period = context.options.period
        writer.footerTitle = localizer.string("xlsx.footer_title", ["month": localizer.monthTitle(year: period.year, month: period.month)])
        events = writer
        // With a CSV set, the cells' texts come made (the events CSV's); this thread then only
        // makes them safe for a cell and writes them.
        relay = EventRelay { taken in
            switch taken {
            case .texts(let timestamp, let source, let texts): try writer.write(timestamp: timestamp, source: source, texts: texts)
            case .event(let event): try writer.write(event)
            }
        }
    }

    func finish(_ facts: ReportFacts) throws {
        if events == nil { try startEvents() }
        try relay?.finish()
        relay = nil
        guard let events else { return }
        try events.finish()
        var facts = facts
        facts.eventSheets = events.sheets.count
        facts.omittedEventRows = events.omitted
        let renderer = XLSXReportRenderer(workbook: workbook, localizer: localizer, facts: facts)
        try renderer.writeSummary(summarySheet)
        try renderer.writeFindings(findingsSheet)
        if let pagesSheet, let actorsSheet, let rulesSheet {
            try renderer.writePages(pagesSheet)
            try renderer.writeActors(actorsSheet)
            try renderer.writeRules(rulesSheet)
        }
        if let accessSheet { try renderer.writeAccessRequests(accessSheet) }
        try renderer.writeUnmapped()
        try workbook.close()
    }

    func abandon() {
        relay?.stop()
        relay = nil
    }
}
