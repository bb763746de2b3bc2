import Foundation
import Testing

@testable import AuditReportCore

@Suite struct FindingsTests {
    static let rules = try! FindingRules.load(from: TestSupport.localesURL.appendingPathComponent("findings.json"))

    func e(_ time: String, _ key: String, actor: String = "a@x.de", page: String? = nil, details: [Field] = [], city: String = "", country: String = "", line: Int = 1) -> AuditEvent {
        AuditEvent(
            timestamp: TestSupport.ts(time), key: key, actor: Actor(email: actor), city: city, country: country,
            target: page.map { Target(kind: "page", id: "id-" + $0, name: $0) } ?? Target(), details: details, source: SourceLocation(input: 0, line: line))
    }

    /// The findings of the October 2026 report for `events` (given in any order).
    func findings(_ events: [AuditEvent], rule: String? = nil) throws -> [Finding] {
        let zone = ZoneResolver(timeZone: TestSupport.utc)
        var engine = FindingsEngine(rules: Self.rules, catalog: TestSupport.store.catalog, period: try ReportPeriod(parsing: "2026-10", zone: zone), sources: ["in.csv"])
        for event in events.sorted(by: { $0.timestamp > $1.timestamp }) { engine.add(event) }
        return engine.finish().filter { rule == nil || $0.ruleID == rule }
    }

    func minutes(_ base: String, _ n: Int) -> String {
        Timestamp(milliseconds: TestSupport.ts(base).milliseconds + Int64(n) * 60_000).description
    }

    /// A rule file written for the 2023 catalogue keeps working: its retired `ui.` keys name the
    /// keys that replace them (or every part of an event Notion split).
    /// A rule's window queue lets go of the events it dropped: per person, windows of a busy
    /// month otherwise held up to a thousand dropped events each.
    @Test func windowQueuesLetGoOfDroppedEvents() {
        var queue = Queue<String>()
        for i in 0..<1000 { queue.append("event \(i) of a window, long enough to be on the heap") }
        for _ in 0..<600 { queue.removeFirst() }
        #expect(queue.count == 400 && queue.first?.hasPrefix("event 600 ") == true)
        #expect(queue.held <= 2 * queue.count)
        for _ in 0..<400 { queue.removeFirst() }
        #expect(queue.isEmpty && queue.held == 0)
        queue.append("again")
        #expect(queue.first == "again" && queue.count == 1)
    }

    @Test func rulesWithRetiredKeysMatchTheirReplacements() throws {
        let json = #"{"rules":[{"id":"lock","kind":"any","severity":"low","match":[{"keys":["ui.page.locked"]}]},{"id":"ip","kind":"any","severity":"high","match":[{"keys":["ui.organization.ip_allowlist_changed"]}]}]}"#
        let url = URL(fileURLWithPath: TestSupport.file("old-rules.json", json))
        let rules = try FindingRules.load(from: url)
        var engine = FindingsEngine(rules: rules, catalog: TestSupport.store.catalog, period: nil, sources: ["in.csv"])
        for event in [e("2026-10-06T10:00:00Z", "ui.organization.ip_allowlist_deleted"), e("2026-10-05T10:00:00Z", "page.locked"), e("2026-10-04T10:00:00Z", "page.unlocked")] {
            engine.add(event)
        }
        #expect(engine.finish().map(\.ruleID).sorted() == ["ip", "lock"])
    }

    @Test func workspaceExportIsHighAndCarriesItsEvents() throws {
        let f = try findings([e("2026-10-05T10:00:00Z", "workspace.content_exported", line: 7), e("2026-10-06T10:00:00Z", "page.viewed")], rule: "workspace_exported")
        #expect(f.count == 1)
        #expect(f[0].severity == .high)
        #expect(f[0].references == ["in.csv:7"])
        #expect(f[0].actors == ["a@x.de"])
    }

    @Test func tenExportsInAnHourTriggerNineDoNot() throws {
        let ten = (0..<10).map { e(minutes("2026-10-05T10:00:00Z", $0 * 6), "page.exported", page: "P\($0)", line: $0) }
        let f = try findings(ten, rule: "mass_page_export")
        #expect(f.count == 1)
        #expect(f[0].count == 10)
        #expect(f[0].severity == .high)
        // Nine in the hour, the tenth 61 minutes after the first.
        let spread = (0..<9).map { e(minutes("2026-10-05T10:00:00Z", $0 * 6), "page.exported", page: "P\($0)") } + [e(minutes("2026-10-05T10:00:00Z", 61), "page.exported", page: "P9")]
        #expect(try findings(spread, rule: "mass_page_export").isEmpty)
        // Ten by two people.
        let shared = (0..<10).map { e(minutes("2026-10-05T10:00:00Z", $0), "page.exported", actor: $0 % 2 == 0 ? "a@x.de" : "b@x.de", page: "P\($0)") }
        #expect(try findings(shared, rule: "mass_page_export").isEmpty)
    }

    @Test func fifteenExportsInAnHourAreOneFinding() throws {
        let f = try findings((0..<15).map { e(minutes("2026-10-12T14:05:00Z", $0 * 2), "page.exported", page: "P\($0)") }, rule: "mass_page_export")
        #expect(f.count == 1)
        #expect(f[0].count == 15)
    }

    @Test func samlEnforcementDependsOnStateInBothDetailShapes() throws {
        let disabled = e("2026-10-09T10:00:00Z", "workspace.settings.enforce_saml_sso_config_updated", details: [Field("state", "disabled")])
        let enabled = e("2026-10-10T10:00:00Z", "workspace.settings.enforce_saml_sso_config_updated", details: [Field("state", "enabled")])
        let f = try findings([disabled, enabled])
        #expect(f.first { $0.ruleID == "saml_enforcement_disabled" }?.severity == .high)
        #expect(f.first { $0.ruleID == "saml_enforcement_enabled" }?.severity == .info)
        // The legacy shape puts the state under a member named after the type; the reader makes it a detail too.
        let legacy = try TestSupport.read("legacy.jsonl", #"{"id":"x","timestamp":"2026-10-09T10:00:00Z","type":"workspace.settings.enforce_saml_sso_config_updated","actor":{"id":"u","person":{"email":"a@x.de"}},"workspace.settings.enforce_saml_sso_config_updated":{"state":"disabled"}}"#)
        #expect(try findings(legacy.events, rule: "saml_enforcement_disabled").count == 1)
        #expect(try findings(legacy.events, rule: "saml_enforcement_enabled").isEmpty)
    }

    @Test func theAdminsOwnAuditLogExportIsReported() throws {
        #expect(try findings([e("2026-10-28T08:00:00Z", "workspace.audit_log_exported", actor: "owner@x.de", details: [Field("duration_in_days", "30")])], rule: "audit_log_exported").map(\.severity) == [.medium])
    }

    @Test func sharingLoosenedOnlyWhenEnabled() throws {
        let f = try findings([
            e("2026-10-16T13:00:00Z", "workspace.settings.allow_public_page_sharing_setting_updated", details: [Field("state", "enabled")]),
            e("2026-10-17T13:00:00Z", "teamspace.settings.allow_guests_setting_updated", details: [Field("state", "enabled")]),
            e("2026-10-18T13:00:00Z", "teamspace.settings.allow_content_export_setting_updated", details: [Field("state", "disabled")]),
        ], rule: "sharing_loosened")
        // Two settings loosened: two findings, each about its setting.
        #expect(f.map(\.count) == [1, 1])
        #expect(f.map(\.subjectKind) == ["setting", "setting"])
        #expect(f[0].context.settings == ["workspace.settings.allow_public_page_sharing_setting_updated=enabled"])
    }

    @Test func teamspaceOwnersButNotMembers() throws {
        let f = try findings([
            e("2026-10-11T15:00:00Z", "teamspace.permissions.member_added", details: [Field("role", "owner")]),
            e("2026-10-11T16:00:00Z", "teamspace.permissions.member_added", details: [Field("role", "member")]),
            e("2026-10-13T15:00:00Z", "teamspace.permissions.member_role_updated", details: [Field("new_role", "owner")]),
            e("2026-10-13T16:00:00Z", "teamspace.permissions.member_role_updated", details: [Field("new_role", "member")]),
        ], rule: "teamspace_owner_added")
        // Two days apart: two incidents, each naming the new owner's role change.
        #expect(f.map(\.count) == [1, 1])
        #expect(f[1].context.permissions == ["? → owner"])
    }

    @Test func loginFromANewCountryWithinTheLookback() throws {
        let history = (1...5).map { e("2026-10-0\($0)T08:00:00Z", "user.login", city: "Berlin", country: "Germany") }
        let f = try findings(history + [e("2026-10-22T03:12:00Z", "user.login", city: "Lagos", country: "Nigeria", line: 99)], rule: "new_login_location")
        #expect(f.count == 1)
        // About the person; the new place and the earlier ones are its context.
        #expect(f[0].subject == "a@x.de")
        #expect(f[0].context.places == [FindingContext.place(city: "Lagos", country: "Nigeria")])
        #expect(f[0].context.earlierPlaces == [FindingContext.place(city: "Berlin", country: "Germany")])
        #expect(f[0].references == ["in.csv:99"])
        // Seen there before, a known place: no finding.
        #expect(try findings(history + [e("2026-10-22T03:12:00Z", "user.login", city: "Berlin", country: "Germany")], rule: "new_login_location").isEmpty)
        // No earlier login in the data: nothing to compare with, no finding.
        #expect(try findings([e("2026-10-22T03:12:00Z", "user.login", city: "Lagos", country: "Nigeria")], rule: "new_login_location").isEmpty)
        // Decided when a login more than the look-back before it is read (not at the end): the
        // same finding, whose earlier places are those within the look-back, not the older one's.
        let paris = e("2026-09-02T08:00:00Z", "user.login", city: "Paris", country: "France")
        let decidedEarly = try findings([paris] + history + [e("2026-10-22T03:12:00Z", "user.login", city: "Lagos", country: "Nigeria", line: 99)], rule: "new_login_location")
        #expect(decidedEarly.count == 1)
        #expect(decidedEarly.first?.context.earlierPlaces == [FindingContext.place(city: "Berlin", country: "Germany")])
        #expect(decidedEarly.first?.references == ["in.csv:99"])
        // The last login elsewhere was more than 28 days before.
        let old = [e("2026-09-01T08:00:00Z", "user.login", city: "Berlin", country: "Germany")]
        #expect(try findings(old + [e("2026-10-22T03:12:00Z", "user.login", city: "Lagos", country: "Nigeria")], rule: "new_login_location").isEmpty)
    }

    @Test func twelveDeletionsCountButRestoredOnesDoNot() throws {
        let twelve = (0..<12).map { e(minutes("2026-10-23T10:00:00Z", $0 * 2), "page.deleted", page: "D\($0)") }
        #expect(try findings(twelve, rule: "mass_page_deletion").map(\.count) == [12])
        // Eleven deleted, five restored within the hour: six net, no finding.
        let eleven = (0..<11).map { e(minutes("2026-10-23T14:00:00Z", $0 * 2), "page.deleted", page: "R\($0)") }
        let restored = (0..<5).map { e(minutes("2026-10-23T14:40:00Z", $0), "page.restored_from_trash", actor: "other@x.de", page: "R\($0)") }
        #expect(try findings(eleven + restored, rule: "mass_page_deletion").isEmpty)
        // Restored after more than an hour: still counted.
        let late = (0..<5).map { e(minutes("2026-10-23T16:30:00Z", $0), "page.restored_from_trash", page: "R\($0)") }
        #expect(try findings(eleven + late, rule: "mass_page_deletion").map(\.count) == [11])
    }

    @Test func loginFollowedByAnAccountChangeWithin30Hours() throws {
        let login = e("2026-10-24T08:00:00Z", "user.login", actor: "p@x.de")
        let f = try findings([login, e("2026-10-24T11:00:00Z", "user.settings.login_method.password_updated", actor: "p@x.de"), e("2026-10-25T07:00:00Z", "user.settings.login_method.email_updated", actor: "p@x.de")], rule: "login_then_account_change")
        #expect(f.count == 1)
        #expect(f[0].count == 3)
        // 31 hours later: no finding; someone else's change: no finding.
        #expect(try findings([login, e("2026-10-25T15:00:00Z", "user.settings.login_method.password_updated", actor: "p@x.de")], rule: "login_then_account_change").isEmpty)
        #expect(try findings([login, e("2026-10-24T11:00:00Z", "user.settings.login_method.password_updated", actor: "q@x.de")], rule: "login_then_account_change").isEmpty)
        // The glossary's synonym of the e-mail change counts too.
        #expect(try findings([login, e("2026-10-24T09:00:00Z", "user.settings.email_updated", actor: "p@x.de")], rule: "login_then_account_change").count == 1)
    }

    @Test func lowAndInfoFindings() throws {
        let f = try findings([
            e("2026-10-14T10:00:00Z", "page.permissions.guest_role_added", page: "G"),
            e("2026-10-14T16:00:00Z", "page.permissions.integration_role_updated", page: "I"),
            e("2026-10-19T11:00:00Z", "page.permissions.shared_to_public_role_added", page: "W"),
            e("2026-10-21T12:00:00Z", "workspace.settings.public_homepage_added"),
            e("2026-10-14T10:00:00Z", "page.permissions.member_role_added", page: "M"),
        ])
        #expect(f.map(\.ruleID) == ["guest_permission_changed", "integration_permission_changed", "page_published", "public_home_page_added"])
        #expect(f.map(\.severity) == [.low, .low, .low, .info])
    }

    @Test func eventsOutsideTheMonthRaiseNothing() throws {
        #expect(try findings([e("2026-09-30T23:00:00Z", "workspace.content_exported"), e("2026-11-01T00:00:00Z", "workspace.content_exported")]).isEmpty)
    }

    @Test func aRulesFileCanAddAndReplaceRulesAndIsValidated() throws {
        let dir = TestSupport.temporaryDirectory()
        let url = dir.appendingPathComponent("rules.json")
        try #"{"rules":[{"id":"workspace_exported","kind":"any","severity":"low","match":[{"keys":["workspace.content_exported"]}]},{"id":"views","kind":"burst","severity":"info","threshold":3,"windowMinutes":10,"match":[{"keys":["page.viewed"]}],"titles":{"en":"Many views"}}]}"#.write(to: url, atomically: true, encoding: .utf8)
        let merged = FindingRules.merging(Self.rules, try FindingRules.load(from: url))
        #expect(merged.rules.count == Self.rules.rules.count + 1)
        #expect(merged.rules.first { $0.id == "workspace_exported" }?.severity == .low)
        try #"{"rules":[{"id":"x","kind":"burst","severity":"high","match":[]}]}"#.write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: CatalogError.invalidFile(path: url.path, line: 0, message: "rule 'x' (burst) needs threshold and windowMinutes")) { try FindingRules.load(from: url) }
    }

    @Test func theSampleMonthTriggersEveryFinding() throws {
        let examples = TestSupport.repositoryRoot.appendingPathComponent("Examples")
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: [examples.appendingPathComponent("sample-2026-10.csv").path, examples.appendingPathComponent("sample-2026-10-siem.jsonl").path]), diagnostics: DiagnosticsEngine())
        try pipeline.read()
        let zone = ZoneResolver(timeZone: TestSupport.utc)
        var engine = FindingsEngine(rules: Self.rules, catalog: TestSupport.store.catalog, period: try ReportPeriod(parsing: "2026-10", zone: zone), sources: ["csv", "siem"])
        try pipeline.emit { engine.add($0) }
        let found = Set(engine.finish().map(\.ruleID))
        #expect(found == Set(Self.rules.rules.map(\.id)))
    }
}
