import Testing

@testable import AuditReportCore

@Suite struct DeduplicatorTests {
    func event(_ time: String, input: Int, line: Int, id: String = "", key: String = "page.viewed", email: String = "a@x.de", page: String = "Roadmap", pageID: String = "") -> AuditEvent {
        AuditEvent(id: id, timestamp: TestSupport.ts(time), key: key, actor: Actor(email: email), target: Target(kind: "page", id: pageID, name: page), source: SourceLocation(input: input, line: line))
    }

    func run(_ events: [AuditEvent]) -> ([AuditEvent], Deduplicator) {
        var dedup = Deduplicator(catalog: TestSupport.store.catalog)
        var out: [AuditEvent] = []
        for e in events { dedup.add(e) { out.append($0) } }
        dedup.finish { out.append($0) }
        return (out, dedup)
    }

    @Test func sameEventIDIsOneEventEvenFromOneInput() {
        let (out, dedup) = run([
            event("2023-05-15T10:00:00.500Z", input: 1, line: 1, id: "e1"),
            event("2023-05-15T10:00:00.500Z", input: 1, line: 2, id: "e1"),
        ])
        #expect(out.count == 1)
        #expect(dedup.droppedByInput == [1: 1])
    }

    @Test func csvRowMatchesSIEMEventByFingerprintAndFillsItsFields() {
        var siem = event("2023-05-15T10:00:00.731Z", input: 1, line: 7, id: "e1", pageID: "p1")
        siem.audience = .sharedToWeb
        var csv = event("2023-05-15T10:00:00Z", input: 0, line: 3, email: "A@X.DE")
        csv.city = "Berlin"
        csv.extras = [Field("Teamspace", "Engineering")]
        let (out, dedup) = run([siem, csv])
        #expect(out.count == 1)
        #expect(out[0].id == "e1")
        #expect(out[0].city == "Berlin")
        #expect(out[0].audience == .sharedToWeb)
        #expect(out[0].extras == [Field("Teamspace", "Engineering")])
        #expect(dedup.droppedByInput == [0: 1])
    }

    @Test func twoRealViewsInOneSecondStayTwo() {
        let (out, _) = run([
            event("2023-05-15T10:00:00.900Z", input: 1, line: 1, id: "e1"),
            event("2023-05-15T10:00:00.100Z", input: 1, line: 2, id: "e2"),
            event("2023-05-15T10:00:00Z", input: 0, line: 1),
            event("2023-05-15T10:00:00Z", input: 0, line: 2),
        ])
        #expect(out.count == 2)
        // Rows of one input never merge with each other by fingerprint.
        let (same, _) = run([event("2023-05-15T10:00:00Z", input: 0, line: 1), event("2023-05-15T10:00:00Z", input: 0, line: 2)])
        #expect(same.count == 2)
    }

    @Test func differentIDsAreDifferentEvents() {
        let (out, _) = run([event("2023-05-15T10:00:00Z", input: 0, line: 1, id: "a"), event("2023-05-15T10:00:00Z", input: 1, line: 1, id: "b")])
        #expect(out.count == 2)
    }

    @Test func differentSecondActorKeyOrPageAreDifferentEvents() {
        let (out, _) = run([
            event("2023-05-15T10:00:01Z", input: 0, line: 1),
            event("2023-05-15T10:00:00Z", input: 1, line: 1),
            event("2023-05-15T10:00:00Z", input: 1, line: 2, email: "b@x.de"),
            event("2023-05-15T10:00:00Z", input: 1, line: 3, key: "page.exported"),
            event("2023-05-15T10:00:00Z", input: 1, line: 4, page: "Budget"),
        ])
        #expect(out.count == 5)
    }

    @Test func sharedUILabelMatchesItsSpecificKeyAndTheSpecificKeyIsKept() {
        let (out, _) = run([
            event("2023-05-15T10:00:00Z", input: 0, line: 1, key: "group.page_permission_update"),
            event("2023-05-15T10:00:00.400Z", input: 1, line: 1, id: "e1", key: "page.permissions.guest_role_added").with { $0.timestamp = TestSupport.ts("2023-05-15T10:00:00Z") },
        ])
        #expect(out.map(\.key) == ["page.permissions.guest_role_added"])
    }

    @Test func synonymKeysMatch() {
        let (out, _) = run([
            event("2023-05-15T10:00:00Z", input: 0, line: 1, key: "user.settings.email_updated", page: ""),
            event("2023-05-15T10:00:00Z", input: 1, line: 1, key: "user.settings.login_method.email_updated", page: ""),
        ])
        #expect(out.count == 1)
    }
}

extension AuditEvent {
    func with(_ change: (inout AuditEvent) -> Void) -> AuditEvent {
        var copy = self
        change(&copy)
        return copy
    }
}
