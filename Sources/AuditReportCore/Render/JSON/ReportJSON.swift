/// The report as JSON with stable English keys (`…-report.json`): the machine-readable twin of
/// the workbook and the HTML, described by `Templates/report.schema.json`. Values are the
/// data, not words: keys, levels and ISO times (UTC); labels only where a reader needs them.
public enum ReportJSON {
    public static let schemaVersion = 1

    /// The whole document as one value (what `write` writes).
    public static func document(_ facts: ReportFacts, _ l: Localizer, zone: ZoneResolver) -> JSONValue {
        JSONPrettyStream.value(members(facts, l, zone: zone))
    }

    /// Writes the document as indented text to `sink` in pieces; a finding is made only when it
    /// is written, so the findings of a busy month are never a tree in memory.
    public static func write(_ facts: ReportFacts, _ l: Localizer, zone: ZoneResolver, to sink: (String) throws -> Void) rethrows {
        try JSONPrettyStream.write(members(facts, l, zone: zone), to: sink)
    }

    static func members(_ facts: ReportFacts, _ l: Localizer, zone: ZoneResolver) -> [JSONPrettyStream.Member] {
        let a = facts.aggregate
        var members: [JSONPrettyStream.Member] = []
        func add(_ key: String, _ value: JSONValue) { members.append(.value(key, value)) }
        add("schema_version", .int(schemaVersion))
        add("tool", .obj(["name": .string("audit-report"), "version": .string(BuildInfo.version)]))
        add("language", .string(l.language))
        if let p = facts.period {
            add("period", .obj(["month": .string(p.identifier), "start": .time(p.start), "end": .time(p.end), "time_zone": .string(ZoneResolver.name(l.timeZone))]))
        }
        add("data_as_of", .time(facts.period?.end ?? facts.reportDate))
        add("inputs", .array(facts.inputs.enumerated().map { i, summary in input(i, summary, facts) }))
        add("coverage", coverage(facts, l))
        add("key_figures", .object(JSONObject(facts.keyFigures.map { .init(key: $0.0, value: .int($0.1)) })))
        add("reconciliation", .obj([
            "read": .int(facts.eventsRead), "in_period": .int(facts.inputs.reduce(0) { $0 + $1.inPeriod }), "outside_period": .int(facts.outsidePeriod),
            "duplicates": .int(facts.duplicatesDropped), "rows_skipped": .int(facts.rowsSkipped),
        ]))
        var perDay: [JSONValue] = []
        if let p = facts.period {
            for (i, count) in a.perDay.enumerated() {
                let day = CivilDateTime(year: p.year, month: p.month, day: i + 1, hour: 0, minute: 0, second: 0, millisecond: 0)
                perDay.append(.obj(["date": .string(l.format(day, pattern: "yyyy-MM-dd")), "events": .int(count)]))
            }
        }
        let audiences = ["none"] + Audience.allCases.map(\.siemValue)
        add("breakdowns", .obj([
            "by_category": .sorted(a.byCategory), "by_audience": .object(JSONObject(zip(audiences, a.byAudience).map { .init(key: $0.0, value: .int($0.1)) })),
            "by_platform": .sorted(a.byPlatform), "by_event_type": .sorted(a.byKey), "per_day": .array(perDay),
        ]))
        add("pages", .array(a.pagesByExposure.map(page)))
        add("actors", .array(a.actorsByActivity.map(actor)))
        let findings = facts.findings ?? []
        let rulesByID = Dictionary(facts.rules.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        members.append(.objects("findings", count: findings.count) { finding(findings[$0], rulesByID[findings[$0].ruleID], facts, l) })
        add("resolved_findings", .array((facts.comparison?.resolved(given: findings) ?? []).map(previous)))
        add("comparison", facts.comparison.map { c in
            .obj(["month": .string(c.month), "source": .string(c.source), "key_figures": .sorted(c.keyFigures)])
        } ?? .null)
        let byRule = Dictionary(grouping: findings, by: \.ruleID)
        add("rules", .array(facts.rules.rules.map { rule in
            let found = byRule[rule.id] ?? []
            return .obj([
                "id": .string(rule.id), "kind": .string(rule.kind.rawValue), "severity": .string(rule.severity.rawValue),
                "title": .string(l.findingTitle(rule.id, rule: rule)), "considered": .int(facts.considered[rule.id] ?? 0), "findings": .int(found.count),
                "suppressed": .int(found.filter { $0.suppression != nil }.count), "events": .int(found.reduce(0) { $0 + $1.count }),
            ])
        }))
        add("access_requests", facts.accessRequests.map(access) ?? .null)
        add("review", review(facts, zone: zone))
        add("unmapped", .array(facts.unmapped.map { .obj(["key": .string($0.key), "count": .int($0.count), "first_seen": .time($0.firstSeen)]) }))
        add("warnings", .strings(facts.diagnostics))
        return members
    }

    static func input(_ i: Int, _ s: EventPipeline.InputSummary, _ facts: ReportFacts) -> JSONValue {
        .obj([
            "file": .string(i < facts.inputNames.count ? facts.inputNames[i] : "?"), "kind": .string(s.read.kind.rawValue), "shapes": .strings(s.read.shapes),
            "size": .int(Int(s.read.bytes)), "sha256": .text(i < facts.inputDigests.count ? facts.inputDigests[i] : nil),
            "events_read": .int(s.read.events), "in_period": .int(s.inPeriod), "outside_period": .int(s.outsidePeriod),
            "duplicates_dropped": .int(s.duplicatesDropped), "rows_skipped": .int(s.read.skipped), "first_event": .time(s.first), "last_event": .time(s.last),
        ])
    }

    static func gap(_ g: Coverage.Gap) -> JSONValue { .obj(["start": .time(g.start), "end": .time(g.end), "hours": .int(g.hours)]) }

    static func coverage(_ facts: ReportFacts, _ l: Localizer) -> JSONValue {
        guard let c = facts.coverage else { return .null }
        let zone: JSONValue = facts.csvZone.map { d in
            .obj([
                "zone": .string(ZoneResolver.name(d.zone)), "how": .string(d.how.rawValue), "compared_rows": .int(d.compared),
                "candidates": .array(d.candidates.map { .obj(["zone": .string($0.zone), "matches": .int($0.matches)]) }),
            ])
        } ?? .null
        return .obj([
            "verdict": .string(c.verdict.rawValue), "complete": .bool(c.verdict == .complete),
            "missing_start": c.missingStart.map(gap) ?? .null, "missing_end": c.missingEnd.map(gap) ?? .null, "gaps": .array(c.gaps.map(gap)),
            "details": .strings(facts.coverageDetails(l)),
            "inputs": .array(c.inputs.map { i in
                .obj([
                    "file": .string(i.index < facts.inputNames.count ? facts.inputNames[i.index] : "?"), "stream": .bool(i.isStream),
                    "first_event": .time(i.first), "last_event": .time(i.last), "covers_start": .bool(i.coversStart), "covers_end": .bool(i.coversEnd),
                    "gaps": .array(i.gaps.map(gap)), "days_without_events": .array(i.daysWithoutEvents.map { .int($0) }),
                ])
            }),
            "csv_time_zone": zone,
        ])
    }

    static func page(_ p: PageStats) -> JSONValue {
        let audiences = ["none"] + Audience.allCases.map(\.siemValue)
        let widened: JSONValue = p.widenedAt.map { at in
            .obj(["from": .text(p.widenedFrom?.siemValue), "to": .text(p.widenedTo?.siemValue), "at": .time(at)])
        } ?? .null
        return .obj([
            "id": .string(p.id), "title": .string(p.key == ReportAggregator.otherKey ? "" : p.title), "events": .int(p.events),
            "by_audience": .object(JSONObject(zip(audiences, p.eventsByAudience).map { .init(key: $0.0, value: .int($0.1)) })),
            "first_audience": .text(p.firstAudience?.siemValue), "last_audience": .text(p.lastAudience?.siemValue), "widened": widened,
            "people": .int(p.people), "views": .int(p.views), "edits": .int(p.edits), "exports": .int(p.exports), "downloads": .int(p.downloads),
            "permission_changes": .int(p.permissionChanges), "shares": .int(p.shares), "gained_access": .strings(p.gainedAccess.sorted()),
            "counted_together": .bool(p.key == ReportAggregator.otherKey),
        ])
    }

    static func actor(_ s: ActorStats) -> JSONValue {
        .obj([
            "identity": .string(s.identity == ReportAggregator.otherKey ? "" : s.identity), "name": .string(s.name), "email": .string(s.email), "type": .string(s.type),
            "events": .int(s.events), "by_category": .sorted(s.byCategory), "pages": .int(s.pagesTouched), "exports": .int(s.exports), "downloads": .int(s.downloads),
            "first_event": .time(s.firstEvent), "last_event": .time(s.lastEvent), "ip_addresses": .strings(s.ipAddresses.sorted()),
            "countries": .strings(s.countries.sorted()), "counted_together": .bool(s.identity == ReportAggregator.otherKey),
        ])
    }

    static func finding(_ f: Finding, _ rule: FindingRule?, _ facts: ReportFacts, _ l: Localizer) -> JSONValue {
        .obj([
            "rule": .string(f.ruleID), "title": .string(l.findingTitle(f, rule: rule)), "severity": .string(f.severity.rawValue),
            "count": .int(f.count), "people": .strings(f.actors), "first": .time(f.first), "last": .time(f.last), "subject": .string(f.subject),
            "subject_kind": .string(f.subjectKind), "about": .string(l.findingSubject(f)), "context": context(f.context),
            "suppression": f.suppression.map { s in
                .obj(["reason": .string(s.reason), "approved_by": .string(s.approvedBy), "until": s.until.map(JSONValue.string) ?? .null])
            } ?? .null,
            "references": .strings(f.references), "change": facts.comparison.map { .string($0.change(of: f).rawValue) } ?? .null,
        ])
    }

    /// A finding's context in the stream's own values: keys, ids and codes, places as objects.
    static func context(_ c: FindingContext) -> JSONValue {
        func place(_ stored: String) -> JSONValue {
            let p = stored.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) + ["", "", "", ""]
            return .obj(["city": .string(p[0]), "region": .string(p[1]), "country": .string(p[2]), "ip": .string(p[3])])
        }
        return .obj([
            "actor_ids": .strings(c.actorIDs), "actor_types": .strings(c.actorTypes), "event_types": .strings(c.eventKeys), "targets": .strings(c.targets),
            "teamspaces": .strings(c.teamspaces), "workspaces": .strings(c.workspaces), "affected": .strings(c.affected), "permissions": .strings(c.permissions),
            "settings": .strings(c.settings), "durations": .strings(c.durations), "places": .array(c.places.map(place)),
            "earlier_places": .array(c.earlierPlaces.map(place)), "ip_addresses": .strings(c.ipAddresses),
        ])
    }

    static func previous(_ f: MonthComparison.PreviousFinding) -> JSONValue {
        .obj([
            "rule": .string(f.rule), "severity": .string(f.severity), "count": .int(f.count), "people": .strings(f.people),
            "first": .string(f.first), "last": .string(f.last), "subject": .string(f.subject),
        ])
    }

    static func access(_ a: AccessRequests) -> JSONValue {
        .obj([
            "total": .int(a.total), "by_status": .object(JSONObject(a.byStatus.map { .init(key: $0.0, value: .int($0.1)) })),
            "by_priority": .object(JSONObject(a.byPriority.map { .init(key: $0.0, value: .int($0.1)) })),
            "open_urgent_or_high": .array(a.openUrgentOrHigh.map { t in
                .obj(["title": .string(t.title), "status": .string(t.status), "reporter": .string(t.reporter), "priorities": .strings(t.priorities), "created": .time(t.created)])
            }),
            "median_completion_hours": a.medianCompletionHours.map { .number(String(format: "%.1f", $0)) } ?? .null,
        ])
    }

    static func review(_ facts: ReportFacts, zone: ZoneResolver) -> JSONValue {
        guard let r = facts.review, let p = facts.period else { return .null }
        return .obj(["reviewer": .string(r.reviewer), "cadence": .string(r.cadence.rawValue), "period": .string(p.identifier), "next_review_due": .time(r.nextDue(after: p, zone: zone))])
    }
}
