import Foundation
import Testing

@testable import AuditReportCore

/// Findings a reviewer can act on: one per person, page or setting and incident, with the context
/// that names who and what; conditions on any field; accepted findings; the allowed networks.
@Suite struct FindingSubjectsTests {
    let base = FindingsTests()

    func e(_ time: String, _ key: String, actor: Actor, ip: String = "", details: [Field] = [], line: Int = 1) -> AuditEvent {
        AuditEvent(timestamp: TestSupport.ts(time), key: key, actor: actor, ipAddress: ip, details: details, source: SourceLocation(input: 0, line: line))
    }

    func run(_ rules: FindingRules, _ events: [AuditEvent]) throws -> [Finding] {
        var engine = FindingsEngine(
            rules: rules, catalog: TestSupport.store.catalog, period: try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.utc)), sources: ["in.csv"])
        // The pipeline hands over the newest event first.
        for event in events.sorted(by: { $0.timestamp > $1.timestamp }) { engine.add(event) }
        return engine.finish()
    }

    @Test func twoPeopleExportingAreTwoFindingsEachNamingItsPerson() throws {
        let f = try base.findings([
            base.e("2026-10-20T16:30:00Z", "workspace.content_exported", actor: "a@x.de"),
            base.e("2026-10-20T16:31:00Z", "workspace.content_exported", actor: "b@x.de"),
        ], rule: "workspace_exported")
        #expect(f.map(\.actors) == [["a@x.de"], ["b@x.de"]])
        #expect(f.map(\.subject) == ["a@x.de", "b@x.de"])
    }

    @Test func onePersonAWeekApartIsTwoIncidentsWithinTheHourOne() throws {
        let f = try base.findings([
            base.e("2026-10-05T09:00:00Z", "workspace.content_exported"), base.e("2026-10-12T09:00:00Z", "workspace.content_exported"),
        ], rule: "workspace_exported")
        #expect(f.map(\.count) == [1, 1])
        let g = try base.findings([
            base.e("2026-10-05T09:00:00Z", "workspace.content_exported"), base.e("2026-10-05T09:40:00Z", "workspace.content_exported"),
            base.e("2026-10-05T10:30:00Z", "workspace.content_exported"),
        ], rule: "workspace_exported")
        // 40 and 50 minutes apart: the incident grows with each event within the hour.
        #expect(g.map(\.count) == [3])
    }

    @Test func theGuestGivenAccessIsNamedWithThePermission() throws {
        let f = try base.findings([
            base.e("2026-10-14T10:00:00Z", "page.permissions.guest_role_added", page: "Payroll", details: [Field("old_permission", "none"), Field("new_permission", "full_access"), Field("entity.person.email", "guest@agency.example")]),
        ], rule: "guest_permission_changed")
        #expect(f.count == 1)
        #expect(f[0].subjectKind == "target")
        #expect(f[0].context.affected == ["guest@agency.example"])
        #expect(f[0].context.permissions == ["none → full_access"])
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        #expect(l.findingSubject(f[0]) == "Payroll (id-Payroll)")
        #expect(l.findingDetail(f[0]).contains("Affected: guest@agency.example"))
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        #expect(de.findingDetail(f[0]).contains("Vollzugriff"))
    }

    @Test func botsDoNotRaiseMassDeletionPeopleDo() throws {
        let bot = (0..<12).map { e(base.minutes("2026-10-23T10:00:00Z", $0), "page.deleted", actor: Actor(id: "bot-1", name: "Cleanup", type: "bot")) }
            .enumerated().map { i, ev -> AuditEvent in var ev = ev; ev.target = Target(kind: "page", id: "p\(i)", name: "P\(i)"); return ev }
        #expect(try run(FindingsTests.rules, bot).filter { $0.ruleID == "mass_page_deletion" }.isEmpty)
        let person = bot.map { ev -> AuditEvent in var ev = ev; ev.actor = Actor(id: "u1", email: "p@x.de", type: "person"); return ev }
        #expect(try run(FindingsTests.rules, person).filter { $0.ruleID == "mass_page_deletion" }.map(\.count) == [12])
        // The same page deleted twelve times is one page, not a mass deletion.
        let samePage = person.map { ev -> AuditEvent in var ev = ev; ev.target = Target(kind: "page", id: "p0", name: "P0"); return ev }
        #expect(try run(FindingsTests.rules, samePage).filter { $0.ruleID == "mass_page_deletion" }.isEmpty)
    }

    @Test func pagesCreatedJustBeforeTheyAreDeletedDoNotCount() throws {
        let who = Actor(id: "u1", email: "p@x.de", type: "person")
        func on(_ ev: AuditEvent, _ page: Int) -> AuditEvent { var ev = ev; ev.target = Target(kind: "page", id: "p\(page)", name: "P\(page)"); return ev }
        let deletions = (0..<12).map { on(e(base.minutes("2026-10-23T10:00:00Z", $0 * 2), "page.deleted", actor: who), $0) }
        // Three of the twelve were created 20 minutes before (scratch pages cleaned up): nine left.
        let scratch = (0..<3).map { on(e(base.minutes("2026-10-23T09:40:00Z", $0), "page.created", actor: who), $0) }
        #expect(try run(FindingsTests.rules, deletions + scratch).filter { $0.ruleID == "mass_page_deletion" }.isEmpty)
        // Created two hours before: a page of some standing; all twelve count.
        let older = (0..<3).map { on(e(base.minutes("2026-10-23T08:00:00Z", $0), "page.created", actor: who), $0) }
        #expect(try run(FindingsTests.rules, deletions + older).filter { $0.ruleID == "mass_page_deletion" }.map(\.count) == [12])
        // Restored within the hour after: undone as well.
        let recreated = (0..<3).map { on(e(base.minutes("2026-10-23T10:50:00Z", $0), "page.restored_from_trash", actor: who), $0) }
        #expect(try run(FindingsTests.rules, deletions + recreated).filter { $0.ruleID == "mass_page_deletion" }.isEmpty)
    }

    /// Every single-event rule of the shipped file fires on an event made from its own match,
    /// and misses on the near variants: outside the month, the where-test failed, a bot when
    /// bots are excluded.
    @Test func everyShippedRuleFiresAndMissesNarrowly() throws {
        let rules = FindingsTests.rules.rules.filter { $0.kind == .any }
        #expect(rules.count >= 25)
        for rule in rules {
            let alternative = rule.match[0]
            let key = try #require(alternative.keys?.first, "\(rule.id)")
            var details: [Field] = []
            var failing: [Field]? = nil
            for (field, condition) in alternative.where ?? [:] {
                if let value = condition.equals ?? condition.in?.first {
                    details.append(Field(field, value))
                    failing = [Field(field, "something-else")]
                } else if condition.missing == true {
                    failing = [Field(field, "enabled")]
                }
            }
            let person = Actor(id: "u1", email: "p@x.de", type: "person")
            var event = e("2026-10-15T10:00:00Z", key, actor: person, details: details)
            event.target = Target(kind: "page", id: "pg", name: "Page")
            let one = FindingRules(rules: [rule])
            #expect(try run(one, [event]).map(\.ruleID) == [rule.id], "\(rule.id) should fire on \(key)")
            var september = event
            september.timestamp = TestSupport.ts("2026-09-30T23:59:59Z")
            #expect(try run(one, [september]).isEmpty, "\(rule.id) outside the month")
            if let failing {
                var other = event
                other.details = failing
                #expect(try run(one, [other]).isEmpty, "\(rule.id) with \(failing)")
            }
            if let excluded = rule.excludeActorTypes?.first {
                var bot = event
                bot.actor = Actor(id: "b1", name: "Bot", type: excluded)
                #expect(try run(one, [bot]).isEmpty, "\(rule.id) by a \(excluded)")
            }
        }
    }

    @Test func aLoginsPlaceFromPantherEnrichmentMakesANewLocation() throws {
        func login(_ day: Int, _ ip: String, _ city: String, _ region: String, _ country: String) -> String {
            #"{"p_log_type":"Notion.AuditLogs","event":{"id":"e\#(day)","timestamp":"2026-10-\#(day)T08:00:00.000Z","type":"user.login","ip_address":"\#(ip)","actor":{"id":"u1","type":"person","person":{"email":"a@x.de"}},"details":{}},"p_enrichment":{"ipinfo_location":{"event.ip_address":{"city":"\#(city)","region":"\#(region)","country":"\#(country)","p_match":"\#(ip)"}}}}"#
        }
        let lines = (10...14).map { login($0, "91.66.17.241", "Munich", "Bavaria", "DE") } + [login(22, "41.58.1.2", "Lagos", "Lagos State", "NG")]
        let read = try TestSupport.read("panther.jsonl", lines.joined(separator: "\n"))
        let f = try run(FindingsTests.rules, read.events).filter { $0.ruleID == "new_login_location" }
        #expect(f.count == 1)
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        #expect(l.findingDetail(f[0]).hasPrefix("Login from: new: Lagos, Lagos State, Nigeria (41.58.1.2) (before: Munich, Germany)"))
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        #expect(de.findingDetail(f[0]).contains("Lagos, Lagos State, Nigeria (41.58.1.2)"))
        #expect(de.findingDetail(f[0]).contains("Deutschland"))
    }

    @Test func loginsOutsideTheAllowedNetworksAndOnlyThose() throws {
        let file = TestSupport.file("networks.txt", "# office and VPN\n10.0.0.0/8\n2001:db8::/32  # VPN v6\n192.0.2.7\n")
        let rule = try FindingRules.allowedNetworksRule(from: URL(fileURLWithPath: file))
        let who = Actor(id: "u1", email: "a@x.de", type: "person")
        let f = try run(FindingRules(rules: [rule]), [
            e("2026-10-05T08:00:00Z", "user.login", actor: who, ip: "10.1.2.3"),
            e("2026-10-05T09:00:00Z", "user.login", actor: who, ip: "::ffff:10.9.9.9"),
            e("2026-10-05T10:00:00Z", "user.login", actor: who, ip: "2001:db8::1"),
            e("2026-10-05T11:00:00Z", "user.login", actor: who, ip: "192.0.2.7"),
            e("2026-10-05T12:00:00Z", "user.login", actor: who, ip: ""),
            e("2026-10-06T08:00:00Z", "user.login", actor: who, ip: "192.0.2.8", line: 7),
            e("2026-10-06T08:05:00Z", "page.viewed", actor: who, ip: "8.8.8.8"),
        ])
        #expect(f.map(\.references) == [["in.csv:7"]])
        #expect(f[0].severity == .high)
        #expect(f[0].context.ipAddresses == ["192.0.2.8"])
        let bad = TestSupport.file("bad-networks.txt", "10.0.0.0/8\n10.0.0.0/33\n")
        #expect(throws: CatalogError.invalidFile(path: bad, line: 2, message: "'10.0.0.0/33' is no network (10.0.0.0/8, 2001:db8::/32 or one address)")) {
            try FindingRules.allowedNetworksRule(from: URL(fileURLWithPath: bad))
        }
    }

    @Test func aSAMLChangeWithoutItsStateIsHighAndSaysSo() throws {
        let f = try base.findings([
            base.e("2026-10-27T09:05:00Z", "workspace.settings.enforce_saml_sso_config_updated"),
            base.e("2026-10-28T09:05:00Z", "workspace.settings.enforce_saml_sso_config_updated", details: [Field("state", "enabled")]),
        ])
        #expect(f.map(\.ruleID) == ["saml_enforcement_state_unknown", "saml_enforcement_enabled"])
        #expect(f[0].severity == .high)
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        #expect(l.findingDetail(f[0]).contains("SAML SSO enforcement toggled: state unknown"))
    }

    @Test func anExportRowWithoutStateIsListedAndItsTitleSaysSo() throws {
        let f = try base.findings([
            base.e("2026-10-03T10:15:00Z", "workspace.settings.invite_link_setting_updated"),
            base.e("2026-10-04T10:15:00Z", "workspace.settings.invite_link_setting_updated", details: [Field("state", "enabled")]),
            base.e("2026-10-05T10:15:00Z", "workspace.settings.invite_link_setting_updated", details: [Field("state", "disabled")]),
        ], rule: "invite_link_enabled")
        #expect(f.count == 2)
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let rule = FindingsTests.rules.rules.first { $0.id == "invite_link_enabled" }
        #expect(f.map { l.findingTitle($0, rule: rule) } == ["Invite link switched on (new state not stated)", "Invite link switched on"])
    }

    @Test func aSequenceInEitherOrderMatchesTheSameAccountById() throws {
        let rules = try FindingRules.load(from: URL(fileURLWithPath: TestSupport.file("seq.json", #"""
            {"rules":[{"id":"mfa_off_and_export","kind":"sequence","severity":"high","withinHours":24,"ordered":false,
              "first":[{"keys":["user.settings.login_method.mfa_totp_removed"]}],"match":[{"keys":["workspace.content_exported"]}]}]}
            """#)))
        // The export comes first, the second factor goes later; the export row names the e-mail,
        // the stream only the id: the same account.
        let f = try run(rules, [
            e("2026-10-10T09:00:00Z", "workspace.content_exported", actor: Actor(id: "u1", email: "p@x.de")),
            e("2026-10-10T15:00:00Z", "user.settings.login_method.mfa_totp_removed", actor: Actor(id: "u1")),
        ])
        #expect(f.map(\.count) == [2])
        // Another account, or more than 24 hours apart: nothing.
        #expect(try run(rules, [
            e("2026-10-10T09:00:00Z", "workspace.content_exported", actor: Actor(id: "u1", email: "p@x.de")),
            e("2026-10-10T15:00:00Z", "user.settings.login_method.mfa_totp_removed", actor: Actor(id: "u2")),
            e("2026-10-12T15:00:00Z", "user.settings.login_method.mfa_totp_removed", actor: Actor(id: "u1")),
        ]).isEmpty)
        // In the default order only the first-then-match direction counts.
        let ordered = FindingRules(rules: rules.rules.map { r in var r = r; r.ordered = nil; return r })
        #expect(try run(ordered, [
            e("2026-10-10T09:00:00Z", "workspace.content_exported", actor: Actor(id: "u1")),
            e("2026-10-10T15:00:00Z", "user.settings.login_method.mfa_totp_removed", actor: Actor(id: "u1")),
        ]).isEmpty)
    }

    @Test func whereTestsAnyField() throws {
        let rules = try FindingRules.load(from: URL(fileURLWithPath: TestSupport.file("where.json", #"""
            {"rules":[{"id":"bot_exports","kind":"any","severity":"medium","subject":"detail:format",
              "match":[{"keys":["page.exported"],"where":{"actor.type":{"in":["bot","integration"]},"ip_address":{"cidr":["203.0.113.0/24"]},"format":{"prefix":"pdf"}}}]}]}
            """#)))
        let bot = Actor(id: "b", name: "Sync", type: "bot")
        let f = try run(rules, [
            e("2026-10-10T09:00:00Z", "page.exported", actor: bot, ip: "203.0.113.9", details: [Field("format", "PDF_A")]),
            e("2026-10-10T09:01:00Z", "page.exported", actor: bot, ip: "198.51.100.1", details: [Field("format", "pdf")]),
            e("2026-10-10T09:02:00Z", "page.exported", actor: Actor(id: "p", type: "person"), ip: "203.0.113.9", details: [Field("format", "pdf")]),
            e("2026-10-10T09:03:00Z", "page.exported", actor: bot, ip: "203.0.113.9", details: [Field("format", "markdown")]),
        ])
        #expect(f.map(\.count) == [1])
        #expect(f[0].subject == "PDF_A")
        #expect(f[0].subjectKind == "detail")
    }

    @Test func acceptedFindingsAreMarkedAndTheListIsKeptTidy() throws {
        var f = try base.findings([
            base.e("2026-10-02T08:00:00Z", "workspace.audit_log_exported", actor: "owner@x.de"),
            base.e("2026-10-02T09:00:00Z", "workspace.audit_log_exported", actor: "other@x.de"),
        ], rule: "audit_log_exported")
        let file = TestSupport.file("exceptions.json", #"""
            {"exceptions":[
              {"rule":"audit_log_exported","subject":"OWNER@x.de","until":"2026-12-31","reason":"Monthly export for this report","approved_by":"CISO"},
              {"rule":"workspace_exported","subject":"*","until":"2026-09-30","reason":"Migration","approved_by":"CISO"},
              {"rule":"page_published","subject":"*","reason":"Public handbook","approved_by":"CISO"}]}
            """#)
        let exceptions = try Exceptions.load(from: URL(fileURLWithPath: file))
        let warnings = exceptions.apply(to: &f, period: try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.utc)))
        #expect(f.map { $0.suppression?.reason } == ["Monthly export for this report", nil])
        #expect(warnings == [
            "exception 2 (workspace_exported, *) expired on 2026-09-30; it suppresses nothing",
            "exception 3 (page_published, *) matched no finding",
        ])
        // Each entry needs a reason and an approver; a date is a date.
        let bad = TestSupport.file("bad-exceptions.json", #"{"exceptions":[{"rule":"x","subject":"*","reason":"","approved_by":"me"}]}"#)
        #expect(throws: CatalogError.invalidFile(path: bad, line: 0, message: "exceptions[0] needs a rule, a subject, a reason and approved_by")) {
            try Exceptions.load(from: URL(fileURLWithPath: bad))
        }
        let notJSON = TestSupport.file("not-json.json", "exceptions: none")
        #expect(throws: CatalogError.invalidFile(path: notJSON, line: 0, message: #"not valid JSON (an object with "exceptions": [{rule, subject, until?, reason, approved_by}])"#)) {
            try Exceptions.load(from: URL(fileURLWithPath: notJSON))
        }
        let missing = TestSupport.file("missing.json", #"{"exceptions":[{"rule":"x","subject":"*","reason":"r"}]}"#)
        #expect(throws: CatalogError.invalidFile(path: missing, line: 0, message: "missing 'approved_by' at exceptions.Index 0")) {
            try Exceptions.load(from: URL(fileURLWithPath: missing))
        }
        let badDate = TestSupport.file("bad-date.json", #"{"exceptions":[{"rule":"x","subject":"*","until":"31.12.2026","reason":"r","approved_by":"me"}]}"#)
        #expect(throws: CatalogError.invalidFile(path: badDate, line: 0, message: "exceptions[0].until must be a date YYYY-MM-DD, not '31.12.2026'")) {
            try Exceptions.load(from: URL(fileURLWithPath: badDate))
        }
    }
}
