import Testing

@testable import AuditReportCore

/// The per-page notification audience breakdown on a hand-built month.
@Suite struct PageBreakdownTests {
    func e(_ time: String, _ key: String, page: String? = nil, id: String = "", audience: Audience? = nil, actor: String = "a@x.de", details: [Field] = []) -> AuditEvent {
        AuditEvent(timestamp: TestSupport.ts(time), key: key, actor: Actor(email: actor), target: page.map { Target(kind: "page", id: id, name: $0) } ?? Target(), audience: audience, details: details)
    }

    func aggregate(_ events: [AuditEvent]) throws -> ReportAggregator {
        let zone = ZoneResolver(timeZone: TestSupport.utc)
        var a = ReportAggregator(period: try ReportPeriod(parsing: "2026-10", zone: zone), zone: zone, catalog: TestSupport.store.catalog)
        // The aggregator takes events newest first, as the pipeline hands them on.
        for event in events.sorted(by: { $0.timestamp > $1.timestamp }) { a.add(event) }
        return a
    }

    /// Page exports and file downloads are counted apart, per page and per person; a person's
    /// exports include the workspace's and the audit log's.
    @Test func exportsAndDownloadsAreCountedApart() throws {
        let a = try aggregate([
            e("2026-10-06T09:00:00Z", "page.exported", page: "Diary", id: "p3"),
            e("2026-10-06T09:05:00Z", "page.file_downloaded", page: "Diary", id: "p3"),
            e("2026-10-06T09:06:00Z", "page.file_downloaded", page: "Diary", id: "p3"),
            e("2026-10-07T09:00:00Z", "workspace.content_exported"),
        ])
        let diary = try #require(a.pagesByExposure.first)
        #expect(diary.exports == 1)
        #expect(diary.downloads == 2)
        let person = try #require(a.actorsByActivity.first)
        #expect(person.exports == 2)
        #expect(person.downloads == 2)
    }

    @Test func aMonthOfFourKindsOfPages() throws {
        let a = try aggregate([
            // Internal, published to the web on the 15th, viewed afterwards.
            e("2026-10-02T09:00:00Z", "page.viewed", page: "Roadmap", id: "p1", audience: .sharedInternally),
            e("2026-10-05T09:00:00Z", "page.content_edited", page: "Roadmap", id: "p1", audience: .sharedInternally, actor: "b@x.de"),
            e("2026-10-15T10:00:00Z", "page.permissions.shared_to_public_role_added", page: "Roadmap", id: "p1", audience: .sharedToWeb),
            e("2026-10-20T09:00:00Z", "page.viewed", page: "Roadmap", id: "p1", audience: .sharedToWeb, actor: "c@x.de"),
            // Shared with a guest, who then views it.
            e("2026-10-03T09:00:00Z", "page.permissions.guest_role_added", page: "Partner", id: "p2", audience: .sharedExternally, details: [Field("entity.person.email", "guest@partner.example")]),
            e("2026-10-04T09:00:00Z", "page.viewed", page: "Partner", id: "p2", audience: .sharedExternally, actor: "guest@partner.example"),
            // Private throughout.
            e("2026-10-06T09:00:00Z", "page.exported", page: "Diary", id: "p3", audience: .private),
            // A page event without an audience, and events without a page.
            e("2026-10-07T09:00:00Z", "page.viewed", page: "Unknown audience", id: "p4"),
            e("2026-10-08T09:00:00Z", "user.login"),
            e("2026-10-09T09:00:00Z", "workspace.settings.enforce_saml_sso_config_updated"),
        ])
        let pages = a.pagesByExposure
        #expect(pages.map(\.title) == ["Roadmap", "Partner", "Diary", "Unknown audience"])

        let roadmap = pages[0]
        #expect(roadmap.events == 4)
        #expect(roadmap.eventsByAudience == [0, 0, 2, 0, 2])
        #expect(roadmap.firstAudience == .sharedInternally)
        #expect(roadmap.lastAudience == .sharedToWeb)
        #expect(roadmap.widened)
        #expect(roadmap.widenedFrom == .sharedInternally && roadmap.widenedTo == .sharedToWeb)
        #expect(roadmap.widenedAt == TestSupport.ts("2026-10-15T10:00:00Z"))
        #expect(roadmap.people == 3)
        #expect((roadmap.views, roadmap.edits, roadmap.shares, roadmap.permissionChanges) == (2, 1, 1, 1))

        let partner = pages[1]
        #expect(partner.lastAudience == .sharedExternally)
        #expect(!partner.widened)
        #expect(partner.gainedAccess == ["guest@partner.example"])
        #expect(partner.people == 2)
        #expect(a.people(onPage: partner.key) == ["a@x.de", "guest@partner.example"])
        #expect(a.actors["guest@partner.example"]?.pagesTouched == 1)

        let diary = pages[2]
        #expect(diary.eventsByAudience == [0, 1, 0, 0, 0])
        #expect(diary.exports == 1)

        let unknown = pages[3]
        #expect(unknown.eventsByAudience == [1, 0, 0, 0, 0])
        #expect(unknown.firstAudience == nil && unknown.lastAudience == nil)

        // Nothing is lost: page events by audience plus events without a page make the total.
        #expect(a.total == 10)
        #expect(a.eventsWithoutPage == 2)
        #expect(a.byAudience == [3, 1, 2, 2, 2])
        #expect(pages.reduce(0) { $0 + $1.events } + a.eventsWithoutPage == a.total)
    }

    @Test func exportRowsWithoutPageIDsJoinThePageTheStreamIdentified() throws {
        let a = try aggregate([
            e("2026-10-20T09:00:00Z", "page.viewed", page: "Roadmap", id: "p1", audience: .sharedInternally),
            e("2026-10-02T09:00:00Z", "page.viewed", page: "Roadmap", audience: .sharedInternally),
        ])
        #expect(a.pages.count == 1)
        #expect(a.pages["p1"]?.events == 2)
    }

    /// A title met without an id counts under its name until the stream names its id; rows
    /// after that (older) join the id's page, though the title's slot was remembered before.
    /// People are counted once per page and pages once per person.
    @Test func aTitleCountsUnderItsNameUntilItGainsAnID() throws {
        let a = try aggregate([
            e("2026-10-25T09:00:00Z", "page.viewed", page: "Roadmap"),
            e("2026-10-24T09:00:00Z", "page.viewed", page: "Roadmap"),
            e("2026-10-20T09:00:00Z", "page.viewed", page: "Roadmap", id: "p1", actor: "b@x.de"),
            e("2026-10-02T09:00:00Z", "page.viewed", page: "Roadmap"),
            e("2026-10-01T09:00:00Z", "page.viewed", page: "Roadmap", actor: "b@x.de"),
        ])
        #expect(a.pages["name:Roadmap"]?.events == 2)
        #expect(a.pages["name:Roadmap"]?.people == 1)
        #expect(a.pages["p1"]?.events == 3)
        #expect(a.pages["p1"]?.people == 2)
        #expect(a.people(onPage: "p1") == ["a@x.de", "b@x.de"])
        #expect(a.actors["a@x.de"]?.pagesTouched == 2)
        #expect(a.actors["b@x.de"]?.pagesTouched == 1)
    }
}
