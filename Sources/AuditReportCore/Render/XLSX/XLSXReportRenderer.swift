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

    /// Fills the summary sheet (created first so it is the first tab).
    public func writeSummary(_ sheet: XLSXSheet) throws {
        guard let period = facts.period else { return try writeConversionSummary(sheet) }
        let a = facts.aggregate
        var r = 0
        try sheet.write(r, 0, text: cell(l.string("report.title", ["month": l.monthTitle(year: period.year, month: period.month)])), Self.title)
        r += 2
        let end = Timestamp(milliseconds: period.end.milliseconds - 1000)
        let facts1: [(String, String)] = [
            ("summary.workspaces", a.workspaces.isEmpty ? l.string("summary.not_stated") : a.workspaces.sorted().joined(separator: ", ")),
            ("summary.period", l.string("summary.period_value", ["start": l.dateTime(period.start), "end": l.dateTime(end)])),
            ("summary.time_zone", l.timeZoneLabel()),
            ("summary.report_date", l.dateTime(facts.reportDate)),
        ]
        for (id, value) in facts1 {
            try sheet.write(r, 0, text: cell(l.string(id)), Self.label)
            try sheet.write(r, 1, text: cell(value))
            r += 1
        }
        let counts: [(String, Int)] = [
            ("summary.events", a.total), ("summary.duplicates", facts.duplicatesDropped), ("summary.outside", facts.outsidePeriod),
            ("summary.skipped", facts.rowsSkipped), ("summary.unmapped_count", facts.unmapped.count),
        ]
        for (id, value) in counts {
            try sheet.write(r, 0, text: cell(l.string(id)), Self.label)
            try sheet.write(r, 1, number: Double(value), Self.integer)
            r += 1
        }
        if facts.eventSheets > 1 {
            try sheet.write(r, 0, text: cell(l.string("summary.events_sheets", ["count": l.number(facts.eventSheets)])))
            r += 1
        }
        if facts.omittedEventRows > 0 {
            try sheet.write(r, 0, text: cell(l.string("summary.events_capped", ["shown": l.number(a.total - facts.omittedEventRows), "total": l.number(a.total)])))
            r += 1
        }
        r += 1
        r = try inputsTable(sheet, r)
        r = try categoryTable(sheet, r)
        r = try audienceTable(sheet, r)
        r = try countTable(sheet, r, "section.by_platform", a.top(a.byPlatform, 20).map { (l.valueLabel("platform", $0.0).isEmpty ? l.string("summary.not_stated") : l.valueLabel("platform", $0.0), $0.1) })
        r = try topEvents(sheet, r)
        r = try topActors(sheet, r)
        r = try perDay(sheet, r)
        try summaryLayout(sheet)
    }

    /// Fixed widths (the title would otherwise widen column A) and a printout one page wide.
    private func summaryLayout(_ sheet: XLSXSheet) throws {
        for (column, width) in [50.0, 38, 16, 16, 16, 16].enumerated() { try sheet.setColumn(column, width: width) }
        try sheet.printSetup(landscape: false, fitToWidth: true, repeatHeader: false, footer: footer)
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
        for (id, value) in [("convert.span", span), ("summary.time_zone", l.timeZoneLabel())] {
            try sheet.write(r, 0, text: cell(l.string(id)), Self.label)
            try sheet.write(r, 1, text: cell(value))
            r += 1
        }
        for (id, value) in [("convert.events", a.total), ("summary.duplicates", facts.duplicatesDropped), ("summary.skipped", facts.rowsSkipped), ("summary.unmapped_count", facts.unmapped.count)] {
            try sheet.write(r, 0, text: cell(l.string(id)), Self.label)
            try sheet.write(r, 1, number: Double(value), Self.integer)
            r += 1
        }
        if facts.eventSheets > 1 {
            try sheet.write(r, 0, text: cell(l.string("summary.events_sheets", ["count": l.number(facts.eventSheets)])))
            r += 1
        }
        r += 1
        r = try inputsTable(sheet, r)
        r = try categoryTable(sheet, r)
        r = try audienceTable(sheet, r)
        try summaryLayout(sheet)
    }

    private func inputsTable(_ sheet: XLSXSheet, _ start: Int) throws -> Int {
        var r = start
        try sheet.write(r, 0, text: cell(l.string("section.inputs")), Self.section)
        r += 1
        try headerRow(sheet, r, ["column.input_file", "column.input_kind", "column.input_events", "column.input_skipped", "column.input_duplicates", "column.input_outside"].map { l.string($0) })
        for (i, input) in facts.inputs.enumerated() {
            r += 1
            let kind = l.string("kind.\(input.read.kind.rawValue)") + (input.read.shapes.isEmpty ? "" : " (\(input.read.shapes.joined(separator: ", ")))")
            try sheet.write(r, 0, text: cell(facts.inputNames[i]))
            try sheet.write(r, 1, text: cell(kind))
            for (c, v) in [input.read.events, input.read.skipped, input.duplicatesDropped, input.outsidePeriod].enumerated() {
                try sheet.write(r, 2 + c, number: Double(v), Self.integer)
            }
        }
        return r + 2
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

    private func countTable(_ sheet: XLSXSheet, _ start: Int, _ title: String, _ rows: [(String, Int)]) throws -> Int {
        var r = start
        try sheet.write(r, 0, text: cell(l.string(title)), Self.section)
        r += 1
        try headerRow(sheet, r, [l.string("column.value"), l.string("column.count")])
        for (name, count) in rows {
            r += 1
            try sheet.write(r, 0, text: cell(name))
            try sheet.write(r, 1, number: Double(count), Self.integer)
        }
        return r + 2
    }

    private func topEvents(_ sheet: XLSXSheet, _ start: Int) throws -> Int {
        let a = facts.aggregate
        var r = start
        try sheet.write(r, 0, text: cell(l.string("section.top_events")), Self.section)
        r += 1
        try headerRow(sheet, r, [l.string("column.event"), l.string("column.event_key"), l.string("column.category"), l.string("column.count")])
        for (key, count) in a.top(a.byKey, 15) {
            r += 1
            try sheet.write(r, 0, text: cell(l.eventLabel(key)))
            try sheet.write(r, 1, text: cell(key))
            try sheet.write(r, 2, text: cell(l.categoryLabel(ofKey: key)))
            try sheet.write(r, 3, number: Double(count), Self.integer)
        }
        return r + 2
    }

    private func topActors(_ sheet: XLSXSheet, _ start: Int) throws -> Int {
        var r = start
        try sheet.write(r, 0, text: cell(l.string("section.top_actors")), Self.section)
        r += 1
        try headerRow(sheet, r, [l.string("column.actor_name"), l.string("column.actor_email"), l.string("column.count"), l.string("column.exports")])
        for actor in facts.aggregate.actorsByActivity.prefix(10) {
            r += 1
            try sheet.write(r, 0, text: cell(actor.name.isEmpty ? actor.identity : actor.name))
            try sheet.write(r, 1, text: cell(actor.email))
            try sheet.write(r, 2, number: Double(actor.events), Self.integer)
            try sheet.write(r, 3, number: Double(actor.exports), Self.integer)
        }
        return r + 2
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

    /// The per-page notification audience breakdown, every page.
    public func writePages() throws {
        let sheet = try workbook.addSheet(XLSXText.sheetName(l.string("sheet.pages"), existing: workbook.names))
        let titles = [
            "column.page_name", "column.page_id", "column.count", "audience.private", "audience.shared_internally", "audience.shared_externally",
            "audience.shared_to_web", "audience.none", "column.first_audience", "column.last_audience", "column.widened_at", "column.actors",
            "column.views", "column.edits", "column.exports", "column.permission_changes", "column.shares", "column.gained_access",
        ].map { id in id.hasPrefix("audience.") && id != "audience.none" ? l.audienceLabel(Audience.allCases.first { "audience." + $0.siemValue == id }) : l.string(id) }
        try headerRow(sheet, 0, titles)
        sheet.freeze(rows: 1, columns: 1)
        var r = 0
        for page in facts.aggregate.pagesByExposure {
            r += 1
            try sheet.write(r, 0, text: cell(page.title))
            try sheet.write(r, 1, text: cell(page.id))
            try sheet.write(r, 2, number: Double(page.events), Self.integer)
            for (i, level) in [1, 2, 3, 4, 0].enumerated() {
                try sheet.write(r, 3 + i, number: Double(page.eventsByAudience[level]), Self.integer)
            }
            try sheet.write(r, 8, text: cell(page.firstAudience.map { l.audienceLabel($0) } ?? ""))
            try sheet.write(r, 9, text: cell(page.lastAudience.map { l.audienceLabel($0) } ?? ""), page.lastAudience.map { XLSXFormat(fontColor: Self.audienceColors[Int($0.rawValue)]) })
            if let at = page.widenedAt, let from = page.widenedFrom, let to = page.widenedTo {
                try sheet.write(r, 10, text: cell(l.string("pages.widened_value", ["from": l.audienceLabel(from), "to": l.audienceLabel(to), "time": l.dateTime(at)])), XLSXFormat(fontColor: 0xC00000))
            }
            for (i, v) in [page.actors.count, page.views, page.edits, page.exports, page.permissionChanges, page.shares].enumerated() {
                try sheet.write(r, 11 + i, number: Double(v), Self.integer)
            }
            try sheet.write(r, 17, text: cell(page.gainedAccess.sorted().joined(separator: ", ")))
        }
        try sheet.fitColumns(count: titles.count, maximum: 50)
        try sheet.autofilter(lastRow: max(r, 1), lastColumn: titles.count - 1)
        try sheet.printSetup(landscape: true, fitToWidth: true, repeatHeader: true, footer: footer)
    }

    public func writeActors() throws {
        let sheet = try workbook.addSheet(XLSXText.sheetName(l.string("sheet.actors"), existing: workbook.names))
        let categories = (l.catalog.categories + ["other"]).filter { c in facts.aggregate.byCategory[c] != nil }
        let titles = [l.string("column.actor_name"), l.string("column.actor_email"), l.string("column.actor_type"), l.string("column.count")]
            + categories.map { l.categoryLabel($0) }
            + [l.string("column.pages_touched"), l.string("column.exports"), l.string("column.first_activity"), l.string("column.last_activity"), l.string("column.ip_addresses"), l.string("column.countries")]
        try headerRow(sheet, 0, titles)
        sheet.freeze(rows: 1, columns: 1)
        var r = 0
        for actor in facts.aggregate.actorsByActivity {
            r += 1
            var c = 0
            try sheet.write(r, c, text: cell(actor.name.isEmpty ? actor.identity : actor.name))
            try sheet.write(r, c + 1, text: cell(actor.email))
            try sheet.write(r, c + 2, text: cell(l.valueLabel("actor_type", actor.type)))
            try sheet.write(r, c + 3, number: Double(actor.events), Self.integer)
            c = 4
            for category in categories {
                try sheet.write(r, c, number: Double(actor.byCategory[category, default: 0]), Self.integer)
                c += 1
            }
            try sheet.write(r, c, number: Double(actor.pages.count), Self.integer)
            try sheet.write(r, c + 1, number: Double(actor.exports), Self.integer)
            try sheet.write(r, c + 2, number: XLSXText.serial(l.civil(actor.firstEvent)), dateFormat, width: 19)
            try sheet.write(r, c + 3, number: XLSXText.serial(l.civil(actor.lastEvent)), dateFormat, width: 19)
            try sheet.write(r, c + 4, text: cell(actor.ipAddresses.sorted().joined(separator: ", ")))
            try sheet.write(r, c + 5, text: cell(actor.countries.sorted().joined(separator: ", ")))
        }
        try sheet.fitColumns(count: titles.count, maximum: 50)
        try sheet.autofilter(lastRow: max(r, 1), lastColumn: titles.count - 1)
        try sheet.printSetup(landscape: true, fitToWidth: true, repeatHeader: true, footer: footer)
    }

    /// Written only when there is an unmapped type.
    public func writeUnmapped() throws {
        guard !facts.unmapped.isEmpty else { return }
        let sheet = try workbook.addSheet(XLSXText.sheetName(l.string("sheet.unmapped"), existing: workbook.names))
        try headerRow(sheet, 0, [l.string("column.event_key"), l.string("column.event"), l.string("column.count"), l.string("column.first_seen")])
        sheet.freeze(rows: 1)
        for (i, u) in facts.unmapped.enumerated() {
            try sheet.write(i + 1, 0, text: cell(u.key))
            try sheet.write(i + 1, 1, text: cell(l.eventLabel(u.key)))
            try sheet.write(i + 1, 2, number: Double(u.count), Self.integer)
            try sheet.write(i + 1, 3, number: XLSXText.serial(l.civil(u.firstSeen)), dateFormat, width: 19)
        }
        try sheet.fitColumns(count: 4)
    }
}
