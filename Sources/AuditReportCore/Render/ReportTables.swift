/// The report's tables as cells, defined once for the workbook, the CSV set and the HTML.
public struct ReportTable {
    public enum Cell: Equatable {
        case text(String)
        case number(Int)
        case time(Timestamp)
        case empty
    }

    public var headers: [String]
    public var rows: [[Cell]]

    /// A cell as text in the localizer's forms (numbers grouped, times in the report's zone).
    public static func text(_ cell: Cell, _ l: Localizer, groupNumbers: Bool = true) -> String {
        switch cell {
        case .text(let s): return s
        case .number(let n): return groupNumbers ? l.number(n) : String(n)
        case .time(let t): return l.dateTime(t)
        case .empty: return ""
        }
    }
}

extension ReportTable {
    /// The breakdown for a page of a report to read, from the full `pages` table: the audience
    /// columns, the first and last audience in one column and the widening date; the page id
    /// left out (the HTML shows it as the title's tooltip), the rest in `pageDetails`.
    public static func compactPages(_ full: ReportTable, _ l: Localizer) -> ReportTable {
        let headers = [full.headers[0], full.headers[2], full.headers[3], full.headers[4], full.headers[5], full.headers[6], full.headers[7], l.string("column.audience_change"), full.headers[11]]
        let rows = full.rows.map { row -> [Cell] in
            let first = ReportTable.text(row[8], l)
            let last = ReportTable.text(row[9], l)
            let change: Cell = first.isEmpty && last.isEmpty ? .empty : .text(first == last ? last : "\(first) → \(last)")
            return [row[0], row[2], row[3], row[4], row[5], row[6], row[7], change, row[11]]
        }
        return ReportTable(headers: headers, rows: rows)
    }

    /// What the compact table leaves out, per page: "label: value" pairs (people, views, edits,
    /// exports, downloads, permission changes, shares, who gained access, the widening).
    public static func pageDetails(_ full: ReportTable, _ l: Localizer) -> [[(label: String, value: String)]] {
        full.rows.map { row in
            (12..<20).compactMap { c -> (label: String, value: String)? in
                let text = ReportTable.text(row[c], l)
                return text.isEmpty ? nil : (full.headers[c], text)
            } + (ReportTable.text(row[10], l).isEmpty ? [] : [(full.headers[10], ReportTable.text(row[10], l))])
        }
    }

    /// The per-page notification audience breakdown, most exposed first.
    /// - Parameter limit: at most this many pages (all when nil).
    public static func pages(_ facts: ReportFacts, _ l: Localizer, limit: Int? = nil) -> ReportTable {
        let headers = [
            l.string("column.page_name"), l.string("column.page_id"), l.string("column.count"),
            l.audienceLabel(.private), l.audienceLabel(.sharedInternally), l.audienceLabel(.sharedExternally), l.audienceLabel(.sharedToWeb),
            l.string("audience.none"), l.string("column.first_audience"), l.string("column.last_audience"), l.string("column.widened_at"), l.string("column.widened_on"),
            l.string("column.actors"), l.string("column.views"), l.string("column.edits"), l.string("column.exports"), l.string("column.downloads"),
            l.string("column.permission_changes"), l.string("column.shares"), l.string("column.gained_access"),
        ]
        var pages = facts.aggregate.pagesByExposure
        if let limit { pages = Array(pages.prefix(limit)) }
        let rows = pages.map { page -> [Cell] in
            // The change as words, its time as a date cell of its own (sortable, filterable).
            var widened = Cell.empty
            var widenedOn = Cell.empty
            if let at = page.widenedAt, let from = page.widenedFrom, let to = page.widenedTo {
                widened = .text(l.string("pages.widened_change", ["from": l.audienceLabel(from), "to": l.audienceLabel(to)]))
                widenedOn = .time(at)
            }
            let title = page.key == ReportAggregator.otherKey ? l.string("pages.other", ["limit": l.number(ReportAggregator.maxPages)]) : page.title
            return [
                .text(title), .text(page.id), .number(page.events),
                .number(page.eventsByAudience[1]), .number(page.eventsByAudience[2]), .number(page.eventsByAudience[3]), .number(page.eventsByAudience[4]),
                .number(page.eventsByAudience[0]),
                page.firstAudience.map { .text(l.audienceLabel($0)) } ?? .empty, page.lastAudience.map { .text(l.audienceLabel($0)) } ?? .empty, widened, widenedOn,
                .number(page.people), .number(page.views), .number(page.edits), .number(page.exports), .number(page.downloads), .number(page.permissionChanges),
                .number(page.shares), .text(page.gainedAccess.sorted().joined(separator: ", ")),
            ]
        }
        return ReportTable(headers: headers, rows: rows)
    }

    /// Per person, most active first.
    public static func actors(_ facts: ReportFacts, _ l: Localizer, limit: Int? = nil) -> ReportTable {
        let categories = (l.catalog.categories + ["other"]).filter { facts.aggregate.byCategory[$0] != nil }
        let headers = [l.string("column.actor_name"), l.string("column.actor_email"), l.string("column.actor_type"), l.string("column.count")]
            + categories.map { l.string("column.category_count", ["category": l.categoryLabel($0)]) }
            + [l.string("column.pages_touched"), l.string("column.exports"), l.string("column.downloads"), l.string("column.first_activity"), l.string("column.last_activity"), l.string("column.ip_addresses"), l.string("column.countries")]
        var actors = facts.aggregate.actorsByActivity
        if let limit { actors = Array(actors.prefix(limit)) }
        let rows = actors.map { a -> [Cell] in
            [
                .text(a.identity == ReportAggregator.otherKey ? l.string("actors.other", ["limit": l.number(ReportAggregator.maxActors)]) : a.name.isEmpty ? a.identity : a.name),
                .text(a.email), .text(l.valueLabel("actor_type", a.type)), .number(a.events),
            ]
                + categories.map { .number(a.byCategory[$0, default: 0]) }
                + [.number(a.pagesTouched), .number(a.exports), .number(a.downloads), .time(a.firstEvent), .time(a.lastEvent), .text(a.ipAddresses.sorted().joined(separator: ", ")), .text(a.countries.map { l.countryName($0) }.sorted().joined(separator: ", "))]
        }
        return ReportTable(headers: headers, rows: rows)
    }

    /// The findings table (most severe first, as `facts.findings` are): its headers and a maker
    /// of one finding's row. The outputs write each row as it is made: a busy month's tens of
    /// thousands of findings, each with up to 200 references, made into one table were tens of
    /// MB held for a moment by each output.
    public static func findingRows(_ facts: ReportFacts, _ l: Localizer, maxEvidence: Int = 20) -> (headers: [String], row: (Finding) -> [Cell]) {
        let suppressedAny = (facts.findings ?? []).contains { $0.suppression != nil }
        let headers = ["column.severity", "column.finding", "column.count", "column.people", "column.from", "column.to", "column.finding_subject", "column.detail", "column.evidence", "column.explanation"].map { l.string($0) }
            + (facts.comparison != nil ? [l.string("column.finding_change")] : []) + (suppressedAny ? [l.string("column.suppressed")] : [])
        return (headers, { f in
            let rule = facts.rules.rules.first { $0.id == f.ruleID }
            var evidence = f.references.prefix(maxEvidence).joined(separator: "; ")
            if f.count > min(maxEvidence, f.references.count) {
                evidence += " " + l.string("findings.more_events", ["count": l.number(f.count - min(maxEvidence, f.references.count))])
            }
            return [
                .text(l.string("severity.\(f.severity.rawValue)")), .text(l.findingTitle(f, rule: rule)), .number(f.count),
                .text(f.actors.joined(separator: ", ")), .time(f.first), .time(f.last), .text(l.findingSubject(f)), .text(l.findingDetail(f)), .text(evidence),
                .text(l.findingExplanation(f.ruleID, rule: rule)),
            ] + (facts.comparison.map { c in [.text(l.string("change.\(c.change(of: f).rawValue)", ["month": l.monthTitle(c.month)]))] } ?? [])
                + (suppressedAny ? [.text(f.suppression.map { l.suppressionText($0) } ?? "")] : [])
        })
    }

    /// Every rule: its severity, the events of the period it looked at, its findings and how
    /// many of them an exception suppresses, or that it found nothing.
    public static func rules(_ facts: ReportFacts, _ l: Localizer) -> ReportTable {
        // Counted, not grouped: grouping copied every finding.
        var byRule: [String: (found: Int, suppressed: Int)] = [:]
        for f in facts.findings ?? [] {
            byRule[f.ruleID, default: (0, 0)].found += 1
            if f.suppression != nil { byRule[f.ruleID]!.suppressed += 1 }
        }
        let headers = ["column.rule", "column.finding", "column.severity", "column.considered", "column.findings", "column.suppressed_count", "column.status"].map { l.string($0) }
        let rows = facts.rules.rules.map { rule -> [Cell] in
            let (found, suppressed) = byRule[rule.id] ?? (0, 0)
            let status = found == 0 ? l.string("rules.status_none") : suppressed == found ? l.string("rules.status_suppressed") : l.string("rules.status_found")
            return [
                .text(rule.id), .text(l.findingTitle(rule.id, rule: rule)), .text(l.string("severity.\(rule.severity.rawValue)")),
                .number(facts.considered[rule.id] ?? 0), .number(found), .number(suppressed), .text(status),
            ]
        }
        return ReportTable(headers: headers, rows: rows)
    }

    /// The access-requests figures as rows of what, value.
    public static func accessRequests(_ a: AccessRequests, _ l: Localizer) -> ReportTable {
        var rows: [[Cell]] = []
        // Opal's own values, in the report's language (the tickets file keeps Opal's).
        for (status, count) in a.byStatus { rows.append([.text(l.string("access.by_status")), .text(l.valueLabel("ticket_status", status)), .number(count)]) }
        for (priority, count) in a.byPriority { rows.append([.text(l.string("access.by_priority")), .text(l.valueLabel("ticket_priority", priority)), .number(count)]) }
        rows.append([.text(l.string("access.median")), .text(a.medianCompletionHours.map { l.string("access.hours", ["hours": l.decimal($0, places: 1)]) } ?? l.string("access.no_completed")), .empty])
        return ReportTable(headers: [l.string("column.section"), l.string("column.item"), l.string("column.tickets")], rows: rows)
    }

    /// The open tickets of priority Urgent or High.
    public static func openTickets(_ a: AccessRequests, _ l: Localizer) -> ReportTable {
        ReportTable(
            headers: ["Title", "Status", "Reporter", "Priority", "Created time"].map { l.string("access.column.\($0.lowercased().replacingOccurrences(of: " ", with: "_"))") },
            rows: a.openUrgentOrHigh.map { t in
                [.text(t.title), .text(l.valueLabel("ticket_status", t.status)), .text(t.reporter), .text(t.priorities.map { l.valueLabel("ticket_priority", $0) }.joined(separator: ", ")), t.created.map { .time($0) } ?? .empty]
            })
    }

    /// Event types no catalogue knows.
    public static func unmapped(_ facts: ReportFacts, _ l: Localizer) -> ReportTable {
        ReportTable(
            headers: [l.string("column.event_key"), l.string("column.event"), l.string("column.count"), l.string("column.first_seen")],
            rows: facts.unmapped.map { [.text($0.key), .text(l.eventLabel($0.key)), .number($0.count), .time($0.firstSeen)] }
                + (facts.unmappedBeyondLimit > 0 ? [[.text("…"), .text(l.string("unmapped.more", ["limit": l.number(EventPipeline.maxUnmapped)])), .number(facts.unmappedBeyondLimit), .empty]] : []))
    }

    /// What was read, per input (with its SHA-256 where computed).
    public static func inputs(_ facts: ReportFacts, _ l: Localizer) -> ReportTable {
        let digests = facts.inputDigests.count == facts.inputs.count
        // Without a period (a conversion) there is nothing in or outside it.
        let period = facts.period != nil
        return ReportTable(
            headers: ["column.input_file", "column.input_kind", "column.input_events"].map { l.string($0) }
                + (period ? ["column.input_in_period", "column.input_outside"].map { l.string($0) } : [])
                + ["column.input_duplicates", "column.input_skipped"].map { l.string($0) } + (digests ? [l.string("column.sha256")] : []),
            rows: facts.inputs.enumerated().map { i, input in
                let kind = l.string("kind.\(input.read.kind.rawValue)") + (input.read.shapes.isEmpty ? "" : " (\(input.read.shapes.map { l.valueLabel("shape", $0) }.joined(separator: ", ")))")
                return [.text(facts.inputNames[i]), .text(kind), .number(input.read.events)]
                    + (period ? [.number(input.inPeriod), .number(input.outsidePeriod)] : [])
                    + [.number(input.duplicatesDropped), .number(input.read.skipped)] + (digests ? [.text(facts.inputDigests[i])] : [])
            })
    }

    /// The summary's figures as rows of section, item, value (the summary CSV).
    public static func summary(_ facts: ReportFacts, _ l: Localizer) -> ReportTable {
        let a = facts.aggregate
        var rows: [[Cell]] = []
        func add(_ section: String, _ item: String, _ value: Cell) { rows.append([.text(l.string(section)), .text(item), value]) }
        if let period = facts.period {
            add("summary.period", l.monthTitle(year: period.year, month: period.month), .text(period.identifier))
        }
        if let review = facts.review, let period = facts.period {
            add("review.title", l.string("review.reviewer"), .text(review.reviewer))
            add("review.title", l.string("review.next_due"), .text(l.date(review.nextDue(after: period, zone: ZoneResolver(timeZone: l.timeZone)))))
        }
        if let c = facts.comparison {
            for r in c.resolved(given: facts.findings ?? []) {
                rows.append([.text(l.string("section.resolved", ["month": l.monthTitle(c.month)])), .text(l.findingTitle(r.rule, rule: facts.rules.rules.first { $0.id == r.rule }) + (r.subject.isEmpty ? "" : " – \(r.subject)")), .text(l.string("severity.\(r.severity)"))])
            }
        }
        if let verdict = facts.verdictText(l) {
            add("section.coverage", verdict, .text(facts.coverage?.verdict.rawValue ?? ""))
            for line in facts.coverageDetails(l) { add("section.coverage", line, .empty) }
        }
        add("summary.time_zone", l.timeZoneLabel(), .text(l.timeZone.identifier))
        add("summary.data_as_of", facts.dataAsOfText(l), .empty)
        add("summary.made_with", l.string("summary.made_with_value", ["version": BuildInfo.version]), .empty)
        for (id, value) in [
            ("summary.read", facts.eventsRead), ("summary.events", a.total), ("summary.outside", facts.outsidePeriod), ("summary.duplicates", facts.duplicatesDropped),
            ("summary.skipped", facts.rowsSkipped), ("summary.unmapped_count", facts.unmapped.count),
        ] {
            add("section.totals", l.string(id), .number(value))
        }
        add("section.totals", l.string("summary.reconciliation"), .text(facts.reconciliationText(l)))
        if let zone = facts.csvZoneText(l) { add("section.totals", l.string("summary.csv_zone"), .text(zone)) }
        if let changes = facts.keyFigureChanges(l) { add("section.totals", l.string("summary.compared"), .text(changes)) }
        for line in facts.diagnostics { add("section.warnings", line, .empty) }
        for category in (l.catalog.categories + ["other"]) where a.byCategory[category] != nil {
            add("section.by_category", l.categoryLabel(category), .number(a.byCategory[category]!))
        }
        for (i, level) in ([nil] + Audience.allCases.map { Optional($0) }).enumerated() {
            add("section.by_audience", l.audienceLabel(level), .number(a.byAudience[i]))
        }
        for (platform, count) in a.top(a.byPlatform, 50) {
            add("section.by_platform", platform.isEmpty ? l.string("summary.not_stated") : l.valueLabel("platform", platform), .number(count))
        }
        for (key, count) in a.top(a.byKey, 1000) {
            add("section.by_event_type", l.eventLabel(key), .number(count))
        }
        if let period = facts.period {
            for (i, count) in a.perDay.enumerated() {
                let day = CivilDateTime(year: period.year, month: period.month, day: i + 1, hour: 0, minute: 0, second: 0, millisecond: 0)
                add("section.per_day", l.format(day, pattern: l.pack.format.date), .number(count))
            }
        }
        return ReportTable(headers: [l.string("column.section"), l.string("column.item"), l.string("column.value")], rows: rows)
    }
}

extension ReportTable {
    /// Months of the trend (the earlier twins found, then this one): events, per category, and
    /// findings per severity.
    public static func trend(_ facts: ReportFacts, _ l: Localizer) -> ReportTable {
        let categories = (l.catalog.categories + ["other"]).filter { c in facts.aggregate.byCategory[c] != nil || facts.history.contains { $0.eventsByCategory[c] != nil } }
        let severities = Severity.allCases.map(\.rawValue)
        let headers = [l.string("column.month"), l.string("column.events_total")] + categories.map { l.string("column.category_count", ["category": l.categoryLabel($0)]) }
            + severities.map { l.string("column.findings_severity", ["severity": l.string("severity.\($0)")]) }
        var rows: [[Cell]] = facts.history.map { h in
            [.text(l.monthTitle(h.month)), .number(h.keyFigures["events"] ?? 0)] + categories.map { .number(h.eventsByCategory[$0] ?? 0) }
                + severities.map { .number(h.findingsBySeverity[$0] ?? 0) }
        }
        var now: [String: Int] = [:]
        for f in facts.findings ?? [] { now[f.severity.rawValue, default: 0] += 1 }
        rows.append(
            [.text(facts.period.map { l.monthTitle(year: $0.year, month: $0.month) } ?? ""), .number(facts.aggregate.total)]
                + categories.map { .number(facts.aggregate.byCategory[$0] ?? 0) } + severities.map { .number(now[$0] ?? 0) })
        return ReportTable(headers: headers, rows: rows)
    }
}
