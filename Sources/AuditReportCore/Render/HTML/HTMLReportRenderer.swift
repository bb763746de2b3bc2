import Foundation
import Mustache

/// Renders the report as one self-contained HTML page from `Templates/report.html.mustache`.
/// The template escapes every value (Mustache's `{{…}}`, with `HTMLEscaping`, which the
/// template must select); this type only builds the view model, with every word taken from the
/// localizer.
public struct HTMLReportRenderer {
    /// Pages shown in the HTML; the workbook lists all.
    public static let pageLimit = 100
    public static let actorLimit = 25
    /// Rows of other listings in the HTML (the workbook and the CSV set list all).
    public static let listLimit = 200
    /// Findings shown in the HTML, most severe first (each is a card with its evidence; the
    /// workbook, the CSV set and the JSON twin list all). A page to read and print, and no view
    /// model of a busy month's tens of thousands of findings in memory.
    public static let findingLimit = 500

    /// The first `limit` rows and a last one saying how many more there are.
    static func capped(_ table: ReportTable, _ limit: Int, _ l: Localizer) -> ReportTable {
        guard table.rows.count > limit else { return table }
        var table = table
        let more = table.rows.count - limit
        table.rows.removeLast(more)
        table.rows.append([.text(l.string("html.rows_more", ["count": l.number(more)]))] + Array(repeating: ReportTable.Cell.empty, count: max(table.headers.count - 1, 0)))
        return table
    }

    let l: Localizer
    let template: MustacheTemplate

    /// Loads the template (before a long run, so a missing one fails fast).
    /// - Throws: `OutputError.renderFailed` when the template is missing or does not parse.
    public init(localizer: Localizer, templatesDirectory: URL) throws {
        l = localizer
        let url = templatesDirectory.appendingPathComponent("report.html.mustache")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw OutputError.renderFailed(path: url.path, reason: "cannot read the HTML template")
        }
        guard text.hasPrefix("{{% CONTENT_TYPE: \(HTMLEscaping.name)}}") else {
            throw OutputError.renderFailed(path: url.path, reason: "the HTML template must start with {{% CONTENT_TYPE: \(HTMLEscaping.name)}}, so every value is escaped")
        }
        HTMLEscaping.register()
        do {
            template = try MustacheTemplate(string: text)
        } catch {
            throw OutputError.renderFailed(path: url.path, reason: "the HTML template does not parse: \(error)")
        }
    }

    public func render(_ facts: ReportFacts) -> String {
        template.render(Model(l: l, facts: facts).build())
    }
}

/// The view model of one report: plain dictionaries and arrays, every word from the localizer.
private struct Model {
    let l: Localizer
    let facts: ReportFacts

    func build() -> [String: Any] {
        let a = facts.aggregate
        var title = l.string("convert.title")
        var meta: [[String: String]] = []
        if !a.workspaces.isEmpty {
            meta.append(["label": l.string("summary.workspaces"), "value": a.workspaces.sorted().joined(separator: ", ")])
        }
        if let period = facts.period {
            title = l.string("report.title", ["month": l.monthTitle(year: period.year, month: period.month)])
            let end = Timestamp(milliseconds: period.end.milliseconds - 1000)
            meta.append(["label": l.string("summary.period"), "value": l.string("summary.period_value", ["start": l.dateTime(period.start), "end": l.dateTime(end)])])
        }
        meta.append(["label": l.string("summary.time_zone"), "value": l.timeZoneLabel()])
        meta.append(["label": l.string("summary.data_as_of"), "value": facts.dataAsOfText(l)])
        meta.append(["label": l.string("summary.reconciliation"), "value": facts.reconciliationText(l)])
        let pages = a.pagesByExposure
        let shared = pages.filter { $0.widestAudience == .sharedToWeb }.count
        let widened = pages.filter(\.widened).count
        let exports = a.actors.values.reduce(0) { $0 + $1.exports }
        let figures: [[String: Any]] = [
            figure("summary.events", a.total, key: "events"),
            figure("figure.people", a.actors.count, key: "people"),
            figure("figure.pages", pages.count, key: "pages"),
            figure("figure.exports", exports, key: "exports"),
            figure("figure.pages_on_web", shared, alert: shared > 0, key: "pages_on_web"),
            figure("figure.pages_widened", widened, alert: widened > 0, key: "pages_widened"),
            figure("summary.duplicates", facts.duplicatesDropped),
            figure("summary.unmapped_count", facts.unmapped.count, alert: !facts.unmapped.isEmpty),
        ]
        let fullPages = ReportTable.pages(facts, l, limit: HTMLReportRenderer.pageLimit)
        var pagesModel = table(ReportTable.compactPages(fullPages, l), titleColumn: 0)
        if var rows = pagesModel["rows"] as? [[String: Any]] {
            let details = ReportTable.pageDetails(fullPages, l)
            for (i, page) in pages.prefix(HTMLReportRenderer.pageLimit).enumerated() {
                rows[i]["pageID"] = page.id
                rows[i]["more"] = details[i].map { ["label": $0.label, "value": $0.value] }
                rows[i]["span"] = (pagesModel["headers"] as? [Any])?.count ?? 1
                rows[i]["rowClass"] = page.widestAudience == .sharedToWeb ? "exposed-web" : page.widestAudience == .sharedExternally ? "exposed-external" : page.widened ? "widened" : ""
            }
            pagesModel["rows"] = rows
        }
        if pages.count > HTMLReportRenderer.pageLimit {
            pagesModel["more"] = l.string("html.pages_more", ["shown": l.number(HTMLReportRenderer.pageLimit), "total": l.number(pages.count)])
        }
        var quality = [
            l.string("html.quality_duplicates", ["count": l.number(facts.duplicatesDropped)]),
            l.string("html.quality_skipped", ["count": l.number(facts.rowsSkipped)]),
            l.string("html.quality_outside", ["count": l.number(facts.outsidePeriod)]),
            l.string("html.quality_warnings", ["count": l.number(facts.warnings)]),
        ]
        if let zone = facts.csvZoneText(l) { quality.append(zone) }
        if facts.eventsWithoutPage > 0 {
            quality.append(l.string("html.quality_no_page", ["count": l.number(facts.eventsWithoutPage)]))
        }
        var access: [String: Any]?
        if let a = facts.accessRequests {
            access = [
                "total": l.string("access.total", ["count": l.number(a.total)]),
                "figures": table(ReportTable.accessRequests(a, l), titleColumn: nil),
                "open": table(ReportTable.openTickets(a, l), titleColumn: nil),
                "openTitle": l.string("access.open_urgent"), "noneOpen": l.string("access.none_open"),
                "title": l.string("section.access"),
            ]
        }
        var model: [String: Any] = [
            "findings": findingsModel(),
            "lang": l.language,
            "title": title,
            "meta": meta,
            "t": [
                "key_figures": l.string("html.key_figures"), "per_day": l.string("section.per_day"), "audience": l.string("section.by_audience"),
                "pages": l.string("html.pages"), "pages_explained": l.string("html.pages_explained"), "no_pages": l.string("html.no_pages"),
                "actors": l.string("section.top_actors"), "unmapped": l.string("sheet.unmapped"), "no_unmapped": l.string("html.no_unmapped"),
                "inputs": l.string("html.inputs_quality"), "findings": l.string("section.findings"),
                "count": l.string("column.count"), "people": l.string("column.people"), "when": l.string("summary.period"),
                "about": l.string("column.finding_subject"), "evidence": l.string("column.evidence"),
                "suppressed": l.string("column.suppressed"), "contents": l.string("html.contents"),
                "severity": l.string("column.severity"), "finding": l.string("column.finding"),
            ],
            "figures": figures,
            "perDay": perDayChart(),
            "audience": ["segments": audienceSegments()],
            "pages": pagesModel,
            "actors": table(ReportTable.actors(facts, l, limit: HTMLReportRenderer.actorLimit), titleColumn: nil),
            "unmapped": table(HTMLReportRenderer.capped(ReportTable.unmapped(facts, l), HTMLReportRenderer.listLimit, l), titleColumn: nil),
            "inputs": table(ReportTable.inputs(facts, l), titleColumn: nil),
            "coverageTable": table(ReportTable.coverage(facts, l), titleColumn: nil),
            "coverageRule": l.string("coverage.rule"),
            "warningsTitle": l.string("section.warnings"),
            "warnings": facts.diagnostics.isEmpty ? [l.string("html.no_warnings")] : facts.diagnostics
                + (facts.warnings > facts.diagnostics.count ? [l.string("html.more_warnings", ["count": l.number(facts.warnings - facts.diagnostics.count)])] : []),
            "coverageTitle": l.string("section.coverage"),
            "quality": quality,
            "footer": l.string("html.footer", ["inputs": facts.inputNames.joined(separator: ", "), "zone": l.timeZoneLabel(), "version": BuildInfo.version]),
        ]
        if let verdict = facts.verdictText(l), let c = facts.coverage {
            let details = facts.coverageDetails(l)
            model["verdict"] = ["text": verdict, "kind": c.verdict.rawValue, "details": details]
        }
        if let r = facts.review, let p = facts.period {
            model["review"] = [
                "title": l.string("review.title"),
                "rows": [
                    ["label": l.string("review.reviewer"), "value": r.reviewer],
                    ["label": l.string("review.period"), "value": l.monthTitle(year: p.year, month: p.month)],
                    ["label": l.string("review.cadence"), "value": l.string("review.cadence.\(r.cadence.rawValue)")],
                    ["label": l.string("review.next_due"), "value": l.date(r.nextDue(after: p, zone: ZoneResolver(timeZone: l.timeZone)))],
                ],
                "signature": l.string("review.signature"),
            ] as [String: Any]
        }
        if !facts.history.isEmpty {
            let trend = ReportTable.trend(facts, l)
            model["trend"] = ["title": l.string("section.trend"), "table": table(trend, titleColumn: nil), "chart": trendChart()] as [String: Any]
        }
        // A missing key, not a nil: Mustache would take a wrapped nil for a present value.
        if let access { model["access"] = access }
        return model
    }

    /// The findings, most severe first (up to `findingLimit`), with up to 20 of their events; or
    /// the sentence saying there are none.
    private func findingsModel() -> [String: Any] {
        let findings = facts.findings ?? []
        let items = findings.prefix(HTMLReportRenderer.findingLimit).enumerated().map { i, f -> [String: Any] in
            let rule = facts.rules.rules.first { $0.id == f.ruleID }
            let shown = Array(f.references.prefix(20))
            var item: [String: Any] = [
                "severity": f.severity.rawValue, "severityLabel": l.string("severity.\(f.severity.rawValue)"),
                "title": l.findingTitle(f, rule: rule), "explanation": l.findingExplanation(f.ruleID, rule: rule),
                "count": l.number(f.count), "people": f.actors.joined(separator: ", "),
                "when": f.first == f.last ? l.dateTime(f.first) : l.string("summary.period_value", ["start": l.dateTime(f.first), "end": l.dateTime(f.last)]),
                "evidence": shown, "anchor": "finding-\(i + 1)",
            ]
            // Mustache treats an empty string as true; leave the key out instead.
            let about = l.findingSubject(f)
            if !about.isEmpty { item["about"] = about }
            item["details"] = l.detailParts(f).map { ["label": $0.0, "value": $0.1] }
            if let s = f.suppression { item["suppressed"] = l.suppressionText(s) }
            if let c = facts.comparison {
                item["change"] = l.string("change.\(c.change(of: f).rawValue)", ["month": l.monthTitle(c.month)])
                item["changeKind"] = c.change(of: f).rawValue
            }
            if f.count > shown.count { item["moreEvidence"] = l.string("findings.more_events", ["count": l.number(f.count - shown.count)]) }
            return item
        }
        var model: [String: Any] = [
            "items": items, "none": findings.isEmpty, "hasItems": !findings.isEmpty, "summary": l.findingsSummary(findings, ruleCount: facts.rules.rules.count),
            "rules": ["title": l.string("section.rules"), "table": table(ReportTable.rules(facts, l), titleColumn: nil)] as [String: Any],
        ]
        if findings.count > items.count {
            model["more"] = l.string("html.findings_more", ["shown": l.number(items.count), "total": l.number(findings.count)])
        }
        if let c = facts.comparison {
            let resolved = c.resolved(given: findings)
            model["resolved"] = [
                "title": l.string("section.resolved", ["month": l.monthTitle(c.month)]),
                "items": resolved.map { r in
                    "\(l.string("severity.\(r.severity)")): \(l.findingTitle(r.rule, rule: facts.rules.rules.first { $0.id == r.rule }))"
                        + (r.subject.isEmpty ? "" : " – \(r.subject)") + (r.people.isEmpty ? "" : " (\(r.people.joined(separator: ", ")))")
                },
                "none": resolved.isEmpty ? l.string("resolved.none", ["month": l.monthTitle(c.month)]) : "",
            ] as [String: Any]
        }
        return model
    }

    /// Events per month of the trend as bars (an inline SVG, like the per-day chart).
    private func trendChart() -> [[String: Any]] {
        let points = facts.history.map { ($0.month, $0.keyFigures["events"] ?? 0) } + [(facts.period?.identifier ?? "", facts.aggregate.total)]
        let top = max(points.map(\.1).max() ?? 1, 1)
        return points.enumerated().map { i, p in
            let height = Double(p.1) / Double(top) * 120
            return ["x": i * 48 + 8, "y": Int(130 - height), "height": Int(height), "label": l.monthTitle(p.0, short: true), "value": l.number(p.1), "labelX": i * 48 + 24]
        }
    }

    /// A key figure; with `key`, its change since the month before when that month's twin is known.
    private func figure(_ id: String, _ value: Int, alert: Bool = false, key: String? = nil) -> [String: Any] {
        var f: [String: Any] = ["label": l.string(id), "value": l.number(value), "alert": alert]
        if let key, let c = facts.comparison, let before = c.keyFigures[key] {
            f["delta"] = l.deltaText(value - before, since: c.month)
        }
        return f
    }

    /// Headers and rows as Mustache needs them; numbers right-aligned, long titles clipped.
    private func table(_ table: ReportTable, titleColumn: Int?) -> [String: Any] {
        let numeric = table.headers.indices.map { c in table.rows.first.map { if case .number = $0[c] { return true } else { return false } } ?? false }
        return [
            "headers": table.headers.enumerated().map { ["text": $0.element, "num": numeric[$0.offset]] as [String: Any] },
            "rows": table.rows.map { row in
                ["cells": row.enumerated().map { c, cell -> [String: Any] in
                    let text = ReportTable.text(cell, l)
                    if c == titleColumn { return ["text": text, "cssClass": "title", "clip": true] }
                    if case .number = cell { return ["text": text, "cssClass": "num"] }
                    return ["text": text, "cssClass": ""]
                }] as [String: Any]
            },
            "hasRows": !table.rows.isEmpty,
        ]
    }

    /// Bars per day on a 1000 × 260 canvas, with four gridlines and day ticks.
    private func perDayChart() -> [String: Any] {
        let counts = facts.aggregate.perDay
        let (width, height, left, top, bottom) = (1000, 260, 56, 10, 26)
        let plotWidth = width - left - 10
        let plotHeight = height - top - bottom
        let maximum = max(counts.max() ?? 0, 1)
        let step = HTMLReportRenderer.niceStep(maximum)
        let ceiling = ((maximum + step - 1) / step) * step
        let slot = counts.isEmpty ? plotWidth : plotWidth / counts.count
        var bars: [[String: Any]] = []
        var ticks: [[String: Any]] = []
        for (i, count) in counts.enumerated() {
            let h = count * plotHeight / ceiling
            let day = i + 1
            var tooltip = l.string("html.day_tooltip", ["day": String(day), "count": l.number(count)])
            if let period = facts.period {
                let date = l.format(CivilDateTime(year: period.year, month: period.month, day: day, hour: 0, minute: 0, second: 0, millisecond: 0), pattern: l.pack.format.date)
                tooltip = l.string("html.day_tooltip", ["day": date, "count": l.number(count)])
            }
            bars.append(["x": left + i * slot + 1, "y": top + plotHeight - h, "w": max(slot - 2, 1), "h": h, "tooltip": tooltip])
            if day == 1 || day % 5 == 0 { ticks.append(["x": left + i * slot + slot / 2, "y": height - 8, "label": String(day)]) }
        }
        let gridlines = stride(from: 0, through: ceiling, by: step).map { value -> [String: Any] in
            let y = top + plotHeight - value * plotHeight / ceiling
            return ["x1": left, "x2": width - 10, "y": y, "labelX": left - 6, "labelY": y + 4, "label": l.number(value)]
        }
        return ["width": width, "height": height, "bars": bars, "ticks": ticks, "gridlines": gridlines]
    }


    private func audienceSegments() -> [[String: Any]] {
        let counts = facts.aggregate.byAudience
        let total = max(counts.reduce(0, +), 1)
        let classes = ["a-none", "a-private", "a-internal", "a-external", "a-web"]
        var x = 0
        var segments: [[String: Any]] = []
        for index in [1, 2, 3, 4, 0] where counts[index] > 0 {
            let w = counts[index] * 300 / total
            let level: Audience? = index == 0 ? nil : Audience(rawValue: UInt8(index))
            let percent = l.string("format.percent", ["value": l.decimal(Double(counts[index]) * 100 / Double(total), places: 1)])
            segments.append(["x": x, "w": max(w, 1), "cssClass": classes[index], "label": l.audienceLabel(level), "count": l.number(counts[index]), "percent": percent])
            x += w
        }
        return segments
    }
}

extension HTMLReportRenderer {
    /// A step of 1, 2 or 5 × 10ⁿ giving about four gridlines.
    static func niceStep(_ maximum: Int) -> Int {
        let rough = max(Double(maximum) / 4, 1)
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].first { $0 * magnitude >= rough } ?? 10
        return max(Int(step * magnitude), 1)
    }
}
