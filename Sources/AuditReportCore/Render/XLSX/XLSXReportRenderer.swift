/// Writes the workbook's summary, pages, actors and unmapped-types sheets from `ReportFacts`.
public struct XLSXReportRenderer {
    let workbook: XLSXWorkbook
    let l: Localizer
    let facts: ReportFacts

    static let title = XLSXFormat(bold: true, fontSize: 16)
    static let section = XLSXFormat(bold: true, fontSize: 12)
    static let header = XLSXFormat(bold: true, fill: 0xDDE4EE, wrap: true, borderBottom: true)
    static let label = XLSXFormat(bold: true)
    static let integer = XLSXFormat(numberFormat: "#,##0")
    static let percent = XLSXFormat(numberFormat: "+0%;-0%;0%")
    /// Audience colours: private grey, internal blue, external orange, web red; none light grey.
    public static let audienceColors: [UInt32] = [0xBFBFBF, 0x7F7F7F, 0x4472C4, 0xED7D31, 0xC00000]

    public init(workbook: XLSXWorkbook, localizer: Localizer, facts: ReportFacts) {
        self.workbook = workbook
        l = localizer
        self.facts = facts
    }

    var dateFormat: XLSXFormat { XLSXFormat(numberFormat: l.pack.format.excelDateTime) }
    var dayFormat: XLSXFormat { XLSXFormat(numberFormat: l.pack.format.excelDate) }

    func cell(_ text: String) -> String { XLSXText.cell(text, marker: l.string("xlsx.truncated_marker")).text }

    /// Writes a header row.
    func headerRow(_ sheet: XLSXSheet, _ row: Int, _ titles: [String]) throws {
        for (i, t) in titles.enumerated() { try sheet.write(row, i, text: cell(t), Self.header) }
    }

    // MARK: summary

    /// Rows of a label (a string id) and its text, from `row`; returns the next free row.
    private func labelled(_ sheet: XLSXSheet, _ row: Int, texts: [(String, String)]) throws -> Int {
        var r = row
        for (id, value) in texts {
            try sheet.write(r, 0, text: cell(l.string(id)), Self.label)
            try sheet.write(r, 1, text: cell(value))
            r += 1
        }
        return r
    }

    /// Rows of a label and a count, then the note that events span several sheets when they do.
    private func labelled(_ sheet: XLSXSheet, _ row: Int, counts: [(String, Int)]) throws -> Int {
        var r = row
        for (id, value) in counts {
            try sheet.write(r, 0, text: cell(l.string(id)), Self.label)
            try sheet.write(r, 1, number: Double(value), Self.integer)
            r += 1
        }
        if facts.eventSheets > 1 {
            try sheet.write(r, 0, text: cell(l.string("summary.events_sheets", ["count": l.number(facts.eventSheets)])))
            r += 1
        }
        return r
    }

    /// Fills the summary sheet (created first so it is the first tab).
    public func writeSummary(_ sheet: XLSXSheet) throws {
        guard let period = facts.period else { return try writeConversionSummary(sheet) }
        let a = facts.aggregate
        var r = 0
        try sheet.write(r, 0, text: cell(l.string("report.title", ["month": l.monthTitle(year: period.year, month: period.month)])), Self.title)
        r += 2
        // The coverage verdict first: what the figures below stand on.
        if let verdict = facts.verdictText(l) {
            try sheet.write(r, 0, text: cell(verdict), Self.section)
            r += 1
            for line in facts.coverageDetails(l) {
                try note(sheet, r, line)
                r += 1
            }
            r += 1
        }
        let end = Timestamp(milliseconds: period.end.milliseconds - 1000)
        let facts1: [(String, String)] = [
            ("summary.workspaces", a.workspaces.isEmpty ? l.string("summary.not_stated") : a.workspaces.sorted().joined(separator: ", ")),
            ("summary.period", l.string("summary.period_value", ["start": l.dateTime(period.start), "end": l.dateTime(end)])),
            ("summary.time_zone", l.timeZoneLabel()),
            ("summary.data_as_of", facts.dataAsOfText(l)),
            ("summary.made_with", l.string("summary.made_with_value", ["version": BuildInfo.version])),
        ]
        r = try labelled(sheet, r, texts: facts1)
        r = try labelled(sheet, r, counts: [
            ("summary.read", facts.eventsRead), ("summary.events", a.total), ("summary.outside", facts.outsidePeriod),
            ("summary.duplicates", facts.duplicatesDropped), ("summary.skipped", facts.rowsSkipped), ("summary.unmapped_count", facts.unmapped.count),
        ])
        r = try labelled(sheet, r, texts: [("summary.reconciliation", facts.reconciliationText(l))] + (facts.csvZoneText(l).map { [("summary.csv_zone", $0)] } ?? [])
            + (facts.keyFigureChanges(l).map { [("summary.compared", $0)] } ?? []))
        if facts.omittedEventRows > 0 {
            try sheet.write(r, 0, text: cell(l.string("summary.events_capped", ["shown": l.number(a.total - facts.omittedEventRows), "total": l.number(a.total)])))
            r += 1
        }
        r += 1
        if let review = facts.review {
            try sheet.write(r, 0, text: cell(l.string("review.title")), Self.section)
            r += 1
            r = try labelled(sheet, r, texts: [
                ("review.reviewer", review.reviewer), ("review.period", l.monthTitle(year: period.year, month: period.month)),
                ("review.cadence", l.string("review.cadence.\(review.cadence.rawValue)")), ("review.next_due", l.date(review.nextDue(after: period, zone: ZoneResolver(timeZone: l.timeZone)))),
                ("review.signature", "______________________________"),
            ])
            r += 1
        }
        if !facts.history.isEmpty {
            let trend = ReportTable.trend(facts, l)
            let first = r + 2
            r = try section(sheet, r, "section.trend", trend)
            // Events per month as columns, below the table.
            let chart = try workbook.addChart(.column)
            try chart.addSeries(sheet: sheet.name, categoryColumn: 0, valueColumn: 1, firstRow: first, lastRow: first + trend.rows.count - 1, name: l.string("section.trend"))
            chart.title(l.string("section.trend"))
            chart.hideLegend()
            try sheet.insert(chart, row: r, column: 0, scale: 0.8)
            r += 16
        }
        r = try inputsTable(sheet, r)
        r = try section(sheet, r, "section.coverage", ReportTable.coverage(facts, l))
        try note(sheet, r - 1, l.string("coverage.rule"))
        r += 1
        if !facts.diagnostics.isEmpty {
            try sheet.write(r, 0, text: cell(l.string("section.warnings")), Self.section)
            r += 1
            for line in facts.diagnostics {
                try note(sheet, r, line)
                r += 1
            }
            r += 1
        }
        r = try categoryTable(sheet, r)
        r = try audienceTable(sheet, r)
        r = try section(sheet, r, "section.by_platform", platforms())
        r = try section(sheet, r, "section.top_events", topEvents())
        r = try section(sheet, r, "section.top_actors", topActors())
        r = try perDay(sheet, r)
        try summaryLayout(sheet)
    }

    /// Fixed widths (the title would otherwise widen column A) and a printout one page wide.
    private func summaryLayout(_ sheet: XLSXSheet) throws {
        for (column, width) in Self.summaryWidths.enumerated() { try sheet.setColumn(column, width: width) }
        try sheet.printSetup(landscape: true, fitToWidth: true, repeatHeader: false, footer: footer)
    }

    /// "Page 3 of 9" in the sheet's footer (Excel's &P and &N codes).
    var footer: String { "&L" + l.string("xlsx.footer_title", ["month": facts.period.map { l.monthTitle(year: $0.year, month: $0.month) } ?? ""]).replacingOccurrences(of: "&", with: "&&") + "&R" + l.string("xlsx.footer_page") }

    /// The summary of a conversion: what was read, the span of the events, and their split by
    /// category and audience.
    public func writeConversionSummary(_ sheet: XLSXSheet) throws {
        let a = facts.aggregate
        var r = 0
        try sheet.write(r, 0, text: cell(l.string("convert.title")), Self.title)
        r += 2
        let span = a.firstEvent.map { first in l.string("summary.period_value", ["start": l.dateTime(first), "end": l.dateTime(a.lastEvent ?? first)]) } ?? l.string("summary.not_stated")
        r = try labelled(sheet, r, texts: [("convert.span", span), ("summary.time_zone", l.timeZoneLabel())])
        r = try labelled(sheet, r, counts: [("convert.events", a.total), ("summary.duplicates", facts.duplicatesDropped), ("summary.skipped", facts.rowsSkipped), ("summary.unmapped_count", facts.unmapped.count)])
        r += 1
        r = try inputsTable(sheet, r)
        r = try categoryTable(sheet, r)
        r = try audienceTable(sheet, r)
        try summaryLayout(sheet)
    }

    private func inputsTable(_ sheet: XLSXSheet, _ start: Int) throws -> Int {
        try section(sheet, start, "section.inputs", ReportTable.inputs(facts, l))
    }

    /// Writes a table with its header row at `start`.
    /// - Returns: the row after the table.
    /// - Parameter widths: the columns' widths when the sheet's are fixed: texts then wrap, and
    ///   each row (the header too) is as tall as its longest text needs.
    @discardableResult
    func write(_ table: ReportTable, to sheet: XLSXSheet, at start: Int, widths: [Double]? = nil) throws -> Int {
        func height(_ texts: [String], perWidth: Double = 1.4) -> Double? {
            guard let widths else { return nil }
            return XLSXSheet.wrappedHeight(texts.enumerated().map { ($1, $0 < widths.count ? widths[$0] : 10) }, perWidth: perWidth)
        }
        // Headers are bold: fewer characters to a line.
        if let h = height(table.headers, perWidth: 1.1) { try sheet.setRow(start, height: h) }
        try headerRow(sheet, start, table.headers)
        let textFormat: XLSXFormat? = widths == nil ? nil : XLSXFormat(wrap: true)
        for (i, row) in table.rows.enumerated() {
            if let h = height(row.map { if case .text(let t) = $0 { return t } else { return "" } }) { try sheet.setRow(start + 1 + i, height: h) }
            for (c, value) in row.enumerated() {
                switch value {
                case .text(let t): try sheet.write(start + 1 + i, c, text: cell(t), textFormat)
                case .number(let n): try sheet.write(start + 1 + i, c, number: Double(n), Self.integer)
                case .time(let t): try sheet.write(start + 1 + i, c, number: XLSXText.serial(l.civil(t)), dateFormat, width: 19)
                case .empty: break
                }
            }
        }
        return start + 1 + table.rows.count
    }

    private func categoryTable(_ sheet: XLSXSheet, _ start: Int) throws -> Int {
        let a = facts.aggregate
        var r = start
        try sheet.write(r, 0, text: cell(l.string("section.by_category")), Self.section)
        r += 1
        var titles = [l.string("column.category"), l.string("column.count")]
        if facts.hasPreviousMonth { titles += [l.string("column.previous"), l.string("column.change")] }
        try headerRow(sheet, r, titles)
        let categories = (l.catalog.categories + ["other"]).filter { a.byCategory[$0] != nil || a.previousByCategory[$0] != nil }
        for category in categories {
            r += 1
            try sheet.write(r, 0, text: cell(l.categoryLabel(category)))
            let now = a.byCategory[category, default: 0]
            try sheet.write(r, 1, number: Double(now), Self.integer)
            if facts.hasPreviousMonth {
                let before = a.previousByCategory[category, default: 0]
                try sheet.write(r, 2, number: Double(before), Self.integer)
                if before > 0 { try sheet.write(r, 3, number: Double(now - before) / Double(before), Self.percent) }
            }
        }
        r += 1
        try sheet.write(r, 0, text: cell(l.string("summary.total")), Self.label)
        try sheet.write(r, 1, number: Double(a.total), XLSXFormat(bold: true, numberFormat: "#,##0"))
        if facts.hasPreviousMonth { try sheet.write(r, 2, number: Double(a.previousTotal), XLSXFormat(bold: true, numberFormat: "#,##0")) }
        return r + 2
    }

    private func audienceTable(_ sheet: XLSXSheet, _ start: Int) throws -> Int {
        let a = facts.aggregate
        var r = start
        try sheet.write(r, 0, text: cell(l.string("section.by_audience")), Self.section)
        r += 1
        try headerRow(sheet, r, [l.string("column.audience"), l.string("column.count")])
        let first = r + 1
        let levels: [Audience?] = [nil] + Audience.allCases.map { $0 }
        for level in levels {
            r += 1
            try sheet.write(r, 0, text: cell(l.audienceLabel(level)))
            try sheet.write(r, 1, number: Double(a.byAudience[Int(level?.rawValue ?? 0)]), Self.integer)
        }
        let chart = try workbook.addChart(.pie)
        try chart.addSeries(sheet: sheet.name, categoryColumn: 0, valueColumn: 1, firstRow: first, lastRow: r, name: l.string("chart.audience"), colors: Self.audienceColors)
        chart.title(l.string("chart.audience"))
        try sheet.insert(chart, row: start, column: 2, scale: 0.75)
        return r + 2
    }

    /// A section title and its table below it.
    /// - Returns: the row after the section, with a blank row.
    private func section(_ sheet: XLSXSheet, _ start: Int, _ titleID: String, _ table: ReportTable) throws -> Int {
        try sheet.write(start, 0, text: cell(l.string(titleID)), Self.section)
        return try write(table, to: sheet, at: start + 1, widths: Self.summaryWidths) + 1
    }

    /// The summary's column widths: the labels, then values and counts, the inputs' hash last.
    static let summaryWidths: [Double] = [50, 38, 19, 19, 16, 16, 16, 16, 24]

    /// A sentence on a row of its own, wrapped in the first column and as tall as it needs.
    private func note(_ sheet: XLSXSheet, _ row: Int, _ text: String, _ format: XLSXFormat? = nil) throws {
        try sheet.setRow(row, height: XLSXSheet.wrappedHeight([(text, Self.summaryWidths[0])]))
        var f = format ?? XLSXFormat()
        f.wrap = true
        try sheet.write(row, 0, text: cell(text), f)
    }

    private func platforms() -> ReportTable {
        let a = facts.aggregate
        return ReportTable(
            headers: [l.string("column.platform"), l.string("column.count")],
            rows: a.top(a.byPlatform, 20).map { platform, count in
                [.text(platform.isEmpty ? l.string("summary.not_stated") : l.valueLabel("platform", platform)), .number(count)]
            })
    }

    private func topEvents() -> ReportTable {
        let a = facts.aggregate
        return ReportTable(
            headers: [l.string("column.event"), l.string("column.event_key"), l.string("column.category"), l.string("column.count")],
            rows: a.top(a.byKey, 15).map { key, count in [.text(l.eventLabel(key)), .text(key), .text(l.categoryLabel(ofKey: key)), .number(count)] })
    }

    private func topActors() -> ReportTable {
        ReportTable(
            headers: [l.string("column.actor_name"), l.string("column.actor_email"), l.string("column.count"), l.string("column.exports")],
            rows: facts.aggregate.actorsByActivity.prefix(10).map { actor in
                [.text(actor.name.isEmpty ? actor.identity : actor.name), .text(actor.email), .number(actor.events), .number(actor.exports)]
            })
    }

    private func perDay(_ sheet: XLSXSheet, _ start: Int) throws -> Int {
        let a = facts.aggregate
        guard let period = facts.period else { return start }
        var r = start
        try sheet.write(r, 0, text: cell(l.string("section.per_day")), Self.section)
        r += 1
        try headerRow(sheet, r, [l.string("column.date"), l.string("column.count")])
        let first = r + 1
        for (i, count) in a.perDay.enumerated() {
            r += 1
            let day = CivilDateTime(year: period.year, month: period.month, day: i + 1, hour: 0, minute: 0, second: 0, millisecond: 0)
            try sheet.write(r, 0, number: XLSXText.serial(day), dayFormat, width: 11)
            try sheet.write(r, 1, number: Double(count), Self.integer)
        }
        let chart = try workbook.addChart(.column)
        try chart.addSeries(sheet: sheet.name, categoryColumn: 0, valueColumn: 1, firstRow: first, lastRow: r, name: l.string("chart.per_day"))
        chart.title(l.string("chart.per_day"))
        chart.categoryAxisFormat("d")
        chart.hideLegend()
        try sheet.insert(chart, row: first - 1, column: 2, scale: 0.9)
        return r + 2
    }

    // MARK: pages, actors, unmapped

    /// Severity colours: high red, medium orange, low yellow, info grey-blue.
    static let severityFills: [Severity: UInt32] = [.high: 0xF4CCCC, .medium: 0xFCE5CD, .low: 0xFFF2CC, .info: 0xDDE4EE]

    /// Fills the findings sheet (created right after the summary); says so when there are none.
    public func writeFindings(_ sheet: XLSXSheet) throws {
        let findings = facts.findings ?? []
        try sheet.write(0, 0, text: cell(l.findingsSummary(findings, ruleCount: facts.rules.rules.count)), Self.section)
        // The first references and a count: the CSV and the JSON twin list them all.
        // Each row made as it is written (see `ReportTable.findingRows`).
        let table = ReportTable.findingRows(facts, l, maxEvidence: 5)
        let widths: [Double] = [12, 34, 8, 28, 19, 19, 34, 56, 40, 56, 24, 44]
        func wraps(_ c: Int) -> Bool { c == 1 || c == 3 || c >= 6 }
        try sheet.setRow(2, height: XLSXSheet.wrappedHeight(table.headers.enumerated().map { ($1, $0 < widths.count ? widths[$0] : 20) }, perWidth: 1.1))
        try headerRow(sheet, 2, table.headers)
        for (i, finding) in findings.enumerated() {
            let row = table.row(finding)
            let fill = Self.severityFills[finding.severity]
            let wrapped = row.enumerated().compactMap { c, value -> (String, Double)? in
                if case .text(let t) = value, wraps(c) { return (t, c < widths.count ? widths[c] : 20) }
                return nil
            }
            try sheet.setRow(3 + i, height: XLSXSheet.wrappedHeight(wrapped))
            for (c, value) in row.enumerated() {
                switch value {
                case .text(let t): try sheet.write(3 + i, c, text: cell(t), XLSXFormat(fill: fill, wrap: wraps(c)))
                case .number(let n): try sheet.write(3 + i, c, number: Double(n), XLSXFormat(numberFormat: "#,##0", fill: fill))
                case .time(let t): try sheet.write(3 + i, c, number: XLSXText.serial(l.civil(t)), XLSXFormat(numberFormat: l.pack.format.excelDateTime, fill: fill), width: 19)
                case .empty: try sheet.write(3 + i, c, text: " ", XLSXFormat(fill: fill))
                }
            }
        }
        if let c = facts.comparison {
            var r = 4 + findings.count
            try sheet.write(r, 0, text: cell(l.string("section.resolved", ["month": l.monthTitle(c.month)])), Self.section)
            let resolved = c.resolved(given: findings)
            if resolved.isEmpty { try sheet.write(r + 1, 0, text: cell(l.string("resolved.none", ["month": l.monthTitle(c.month)]))) }
            for f in resolved {
                r += 1
                try sheet.write(r, 0, text: cell(l.string("severity.\(f.severity)")))
                try sheet.write(r, 1, text: cell(l.findingTitle(f.rule, rule: facts.rules.rules.first { $0.id == f.rule })))
                try sheet.write(r, 3, text: cell(f.people.joined(separator: ", ")))
                try sheet.write(r, 6, text: cell(f.subject))
            }
        }
        for (column, width) in widths.enumerated() { try sheet.setColumn(column, width: width) }
        sheet.freeze(rows: 3)
        try sheet.printSetup(landscape: true, fitToWidth: true, repeatHeader: false, footer: footer)
        try sheet.repeatRows(2, 2)
    }

    /// The per-page notification audience breakdown, every page.
    public func writePages(_ sheet: XLSXSheet) throws {
        try writeList(sheet, ReportTable.pages(facts, l))
    }

    public func writeActors(_ sheet: XLSXSheet) throws {
        try writeList(sheet, ReportTable.actors(facts, l))
    }

    /// Every rule that ran: what it looked at, what it found, what was suppressed.
    public func writeRules(_ sheet: XLSXSheet) throws {
        try writeList(sheet, ReportTable.rules(facts, l))
    }

    /// Written only when a ticket export was read (the sheet is made when that is known).
    public func writeAccessRequests(_ sheet: XLSXSheet) throws {
        guard let access = facts.accessRequests else { return }
        try sheet.write(0, 0, text: cell(l.string("access.total", ["count": l.number(access.total)])), Self.section)
        var r = try write(ReportTable.accessRequests(access, l), to: sheet, at: 2) + 1
        try sheet.write(r, 0, text: cell(l.string("access.open_urgent")), Self.section)
        r += 1
        if access.openUrgentOrHigh.isEmpty {
            try sheet.write(r, 0, text: cell(l.string("access.none_open")))
        } else {
            try write(ReportTable.openTickets(access, l), to: sheet, at: r)
        }
        for (column, width) in [50.0, 30, 30, 16, 19].enumerated() { try sheet.setColumn(column, width: width) }
        try sheet.printSetup(landscape: true, fitToWidth: true, repeatHeader: false, footer: footer)
    }

    /// Written only when there is an unmapped type.
    public func writeUnmapped() throws {
        guard !facts.unmapped.isEmpty else { return }
        try writeListSheet("sheet.unmapped", ReportTable.unmapped(facts, l))
    }

    /// A sheet holding one table: frozen header and first column, filter, fitted widths, printable.
    /// A table longer than a sheet holds is cut with a note below it (the CSV set keeps every row).
    private func writeListSheet(_ nameID: String, _ table: ReportTable) throws {
        try writeList(try workbook.addSheet(XLSXText.sheetName(l.string(nameID), existing: workbook.names)), table)
    }

    private func writeList(_ sheet: XLSXSheet, _ table: ReportTable) throws {
        var table = table
        let room = XLSXEventSheetWriter.excelRowLimit - 2
        let total = table.rows.count
        if total > room { table.rows.removeLast(total - room) }
        let last = try write(table, to: sheet, at: 0)
        if total > room {
            try sheet.write(last + 1, 0, text: cell(l.string("xlsx.rows_cut", ["shown": l.number(room), "total": l.number(total)])))
        }
        sheet.freeze(rows: 1, columns: 1)
        let width = try sheet.fitColumns(count: table.headers.count, maximum: 50)
        try sheet.autofilter(lastRow: max(last - 1, 1), lastColumn: table.headers.count - 1)
        // Narrow enough: one page wide. Wider: the fewest pages wide at a readable size, the
        // first column (the page, the person) repeated on each.
        try sheet.printSetup(landscape: true, fitToWidth: false, repeatHeader: true, footer: footer)
        sheet.fitToPages(width: width)
        if width > XLSXSheet.printableWidth { try sheet.repeatColumns(0, 0) }
    }
}
