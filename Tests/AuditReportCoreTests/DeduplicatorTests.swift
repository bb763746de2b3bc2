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

    /// Few events in a second are compared one by one, many are indexed by fingerprint: both
    /// ways keep and drop the same events, merged the same way. Random crowded seconds from three
    /// inputs, with ids on some events, groups and synonyms among the keys, pages named by id or
    /// name or not at all, and e-mails in other cases.
    @Test func comparingOneByOneAndIndexingAgreeOnCrowdedSeconds() {
        var random = SampleRandom(seed: 7)
        let keys = ["page.viewed", "group.page_permission_update", "page.permissions.guest_role_added", "user.settings.email_updated",
                    "user.settings.login_method.email_updated", "page.exported"]
        let emails = ["a@x.de", "A@X.de", "b@x.de", ""]
        var dropped = 0
        for round in 0..<300 {
            var events: [AuditEvent] = []
            var line = 0
            for second in 0..<3 {
                for _ in 0..<1 + random.below(29) {
                    line += 1
                    let input = random.below(3)
                    var e = AuditEvent(
                        id: input == 2 && random.below(2) == 0 ? "id\(random.below(6))" : "",
                        timestamp: Timestamp(milliseconds: Int64(1_700_000_000 - second) * 1000 + Int64(random.below(1000))),
                        key: keys[random.below(keys.count)],
                        actor: Actor(id: random.below(3) == 0 ? "u\(random.below(2))" : "", email: emails[random.below(emails.count)]),
                        target: Target(kind: "page", id: random.below(3) == 0 ? "p\(random.below(2))" : "", name: random.below(3) == 0 ? "" : "Page \(random.below(2))"),
                        source: SourceLocation(input: input, line: line))
                    e.city = random.below(4) == 0 ? "Berlin" : ""
                    events.append(e)
                }
            }
            func run(indexFrom: Int) -> ([AuditEvent], [Int: Int]) {
                var dedup = Deduplicator(catalog: TestSupport.store.catalog)
                dedup.indexFrom = indexFrom
                var out: [AuditEvent] = []
                for e in events { dedup.add(e) { out.append($0) } }
                dedup.finish { out.append($0) }
                return (out, dedup.droppedByInput)
            }
            let linear = run(indexFrom: .max)
            let indexed = run(indexFrom: 0)
            let switching = run(indexFrom: 5)
            // The first difference only (a whole second of events would bury it).
            func firstDifference(_ a: [AuditEvent], _ b: [AuditEvent]) -> String? {
                if let i = a.indices.first(where: { $0 < b.count && a[$0] != b[$0] }) { return "event \(i): \(a[i]) ≠ \(b[i])" }
                return a.count == b.count ? nil : "\(a.count) ≠ \(b.count) events"
            }
            #expect(firstDifference(linear.0, indexed.0) == nil, "round \(round)")
            #expect(linear.1 == indexed.1, "round \(round)")
            #expect(firstDifference(switching.0, indexed.0) == nil, "round \(round)")
            dropped += events.count - linear.0.count
        }
    }

    /// Which inputs a held event absorbed copies from is kept as bits below input 64 and in a
    /// set past it: a run of 70 inputs absorbs one copy from each other input into the first
    /// event of the second (and a second copy from one input stays an event of its own).
    @Test func copiesFromManyInputsAreEachAbsorbedOnce() {
        var set = Deduplicator.InputSet()
        for input in [0, 5, 63, 64, 65, 200] { set.insert(input) }
        for input in [0, 5, 63, 64, 65, 200] { #expect(set.contains(input), "\(input)") }
        for input in [1, 62, 66, 199, 201, -1] { #expect(!set.contains(input), "\(input)") }
        var events = (0..<70).map { event("2023-05-15T10:00:00Z", input: $0, line: 1) }
        events.append(event("2023-05-15T10:00:00Z", input: 66, line: 2))
        let (out, dedup) = run(events)
        #expect(out.count == 2)
        #expect(dedup.dropped == 69)
        #expect(dedup.droppedByInput[66] == 1 && dedup.droppedByInput[0] == nil)
    }

    /// The same actor or page named in other texts (another e-mail case, an id) matches, a
    /// different page of the same actor does not, and a bot without e-mail matches by its name.
    @Test func actorsAndTargetsMatchByTheNamesTheyShare() {
        let (out, _) = run([
            event("2023-05-15T10:00:01Z", input: 0, line: 1, email: "Anna@X.de", pageID: "p1"),
            event("2023-05-15T10:00:01Z", input: 1, line: 1, email: "anna@x.de", pageID: "p1"),
            event("2023-05-15T10:00:00Z", input: 0, line: 2, email: "Anna@X.de", page: "Roadmap", pageID: ""),
            event("2023-05-15T10:00:00Z", input: 1, line: 2, email: "anna@x.de", page: "Other", pageID: ""),
            event("2023-05-15T09:59:59Z", input: 0, line: 3, email: "", page: "Roadmap").with { $0.actor.name = "Sync Bot" },
            event("2023-05-15T09:59:59Z", input: 1, line: 3, email: "", page: "Roadmap").with { $0.actor.name = "Sync Bot" },
            event("2023-05-15T09:59:58Z", input: 0, line: 4, email: "", page: "Roadmap").with { $0.actor.name = "Sync Bot" },
            event("2023-05-15T09:59:58Z", input: 1, line: 4, email: "", page: "Roadmap").with { $0.actor.name = "Other Bot" },
        ])
        #expect(out.map(\.source.line) == [1, 2, 2, 3, 4, 4])
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

@Suite struct ActorFoldingTests {
    @Test func onlyTextsWithoutCapitalsOrNonASCIIAreTheirOwnFold() {
        for text in ["", "anna@example.com", "@[`{z0-9_.+", "a-very-long-address.with.parts@sub.example.com"] { #expect(Actor.isFolded(text), "\(text)") }
        for text in ["Anna@example.com", "anna@EXAMPLE.com", "Z", "A", "jürgen@example.de", "anna@example.coM"] { #expect(!Actor.isFolded(text), "\(text)") }
        // Eight bytes at a time and the rest byte by byte: every position of a 19-byte text, with
        // the bytes beside the capitals (`@` `[` `` ` `` `{`), the capitals' ends and a letter past ASCII.
        for position in 0..<19 {
            for (insert, folded) in [("@", true), ("[", true), ("`", true), ("{", true), ("A", false), ("Z", false), ("M", false), ("é", false), ("a", true), ("z", true)] {
                var text = Array("abcdefghijklmnopqrs").map(String.init)
                text[position] = insert
                #expect(Actor.isFolded(text.joined()) == folded, "\(text.joined())")
            }
        }
        #expect(Actor(email: "Anna@Example.COM").identity == "anna@example.com")
        #expect(Actor(email: "JÜRGEN@example.de").identity == "jürgen@example.de")
    }
}

@Suite struct CaseFoldingTests {
    /// The ASCII path decides as Foundation does: every pair of these texts, both ways round,
    /// including the bytes just outside the letters (`@` `[` `` ` `` `{`), texts of other lengths,
    /// and texts past ASCII that fold equal only there (ß and ss, the Kelvin sign and k).
    @Test func equalsIgnoringCaseAgreesWithFoundation() {
        let texts = ["", "bot", "BOT", "Bot", "bots", "bou", "@", "`", "[", "{", "a@b", "A`B", "a[b", "A{B", "person", "PERSON ",
                     "integration", "Integration", "ß", "ss", "SS", "straße", "STRASSE", "\u{212A}", "k", "K", "é", "É", "e\u{301}"]
        for a in texts {
            for b in texts {
                #expect(a.equalsIgnoringCase(b) == (a.caseInsensitiveCompare(b) == .orderedSame), "\(a) / \(b)")
            }
        }
        #expect("Bot".equalsIgnoringCase("bOT"))
        #expect(!"@".equalsIgnoringCase("`") && !"[".equalsIgnoringCase("{"))
    }
}
