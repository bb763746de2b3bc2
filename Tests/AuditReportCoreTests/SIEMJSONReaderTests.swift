import Testing

@testable import AuditReportCore

@Suite struct SIEMJSONReaderTests {
    static let event = #"{"id":"e1","timestamp":"2023-05-15T19:14:21.031Z","workspace_id":"w1","actor":{"id":"u1","object":"user","type":"person","person":{"email":"anna@example.com"}},"ip_address":"1.2.3.4","platform":"mac-desktop","type":"page.permissions.guest_role_added","details":{"page_audience":"shared_externally","page_name":"Roadmap","target":{"type":"page_id","page_id":"p1"},"old_permission":"none","new_permission":"read_only","entity":{"object":"user","type":"person","person":{"email":"guest@partner.example"}}}}"#

    static let expected: AuditEvent = {
        var e = AuditEvent(id: "e1", timestamp: TestSupport.ts("2023-05-15T19:14:21.031Z"), key: "page.permissions.guest_role_added")
        e.workspace = "w1"
        e.actor = Actor(id: "u1", email: "anna@example.com", type: "person")
        e.ipAddress = "1.2.3.4"
        e.platform = "mac-desktop"
        e.audience = .sharedExternally
        e.target = Target(kind: "page", id: "p1", name: "Roadmap")
        e.details = [Field("old_permission", "none"), Field("new_permission", "read_only"), Field("entity.object", "user"), Field("entity.type", "person"), Field("entity.person.email", "guest@partner.example")]
        e.source = SourceLocation(input: 0, line: 1)
        return e
    }()

    @Test func wrappedJSONLinesAreRead() throws {
        let r = try TestSupport.read("s.jsonl", "{\"event\":\(Self.event)}\n{\"event\":\(Self.event.replacingOccurrences(of: "\"e1\"", with: "\"e2\""))}\n")
        #expect(r.diagnostics.isEmpty)
        #expect(r.events.count == 2)
        #expect(r.events[0] == Self.expected)
        #expect(r.events[1].source.line == 2)
        #expect(r.summary.shapes == ["json-lines", "notion"])
    }

    @Test func bareEventAndPrettyPrintedArrayAreRead() throws {
        let bare = try TestSupport.read("bare.json", Self.event)
        #expect(bare.events == [Self.expected])
        let array = try TestSupport.read("array.json", "[\n  {\"event\": \(Self.event)},\n  \(Self.event)\n]\n")
        #expect(array.events.count == 2)
        #expect(array.events.map(\.source.line) == [2, 3])
        #expect(array.summary.shapes.contains("json-array"))
    }

    @Test func legacyDetailsUnderTheTypeKeyAreRead() throws {
        let r = try TestSupport.read("legacy.json", #"{"event":{"id":"x","timestamp":"2023-05-15T10:00:00Z","type":"workspace.settings.enforce_saml_sso_config_updated","workspace.settings.enforce_saml_sso_config_updated":{"state":"disabled"},"actor":{"id":"u","type":"person","person":{"email":"a@b.c"}}}}"#)
        #expect(r.events.count == 1)
        #expect(r.events[0].details == [Field("state", "disabled")])
    }

    /// Found by FuzzBody: a type of dots only has no segment to look up legacy details under.
    @Test func aTypeOfDotsOnlyIsReadNotACrash() throws {
        for type in [".", "..", "..."] {
            let r = try TestSupport.read("dots.jsonl", #"{"id":"x","timestamp":"2026-11-30T10:00:00Z","type":"\#(type)"}"# + "\n")
            #expect(r.events.map(\.key) == [type])
        }
    }

    @Test func teamspaceTargetAndBotActorAreRead() throws {
        let r = try TestSupport.read("t.json", #"{"id":"x","timestamp":"2023-05-15T10:00:00Z","type":"teamspace.permissions.member_added","actor":{"id":"b1","object":"user","type":"bot","bot":{"name":"Jira Sync"}},"details":{"target":{"id":"t1","name":"Finanzen","object":"teamspace"},"role":"owner"}}"#)
        #expect(r.events[0].target == Target(kind: "teamspace", id: "t1", name: "Finanzen"))
        #expect(r.events[0].actor == Actor(id: "b1", name: "Jira Sync", type: "bot"))
        #expect(r.events[0].detail("role") == "owner")
    }

    @Test func audienceSpellingsAreNormalized() throws {
        for (spelling, level) in [("internal", Audience.sharedInternally), ("external", .sharedExternally), ("public", .sharedToWeb), ("web", .sharedToWeb), ("private", .private), ("Im Web geteilt", .sharedToWeb)] {
            let r = try TestSupport.read("a.json", #"{"timestamp":"2023-05-15T10:00:00Z","type":"page.viewed","details":{"page_audience":"\#(spelling)"}}"#)
            #expect(r.events[0].audience == level, "\(spelling)")
        }
    }

    @Test func splunkExportSkipsPreviewRowsAndUnwrapsRaw() throws {
        let raw = Self.event.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let text = """
            {"preview":true,"result":{"_raw":"{}"}}
            {"preview":false,"result":{"_raw":"\(raw)","_time":"2023-05-15T19:14:21.031+00:00"}}
            """
        let r = try TestSupport.read("splunk.json", text)
        #expect(r.summary.previewRows == 1)
        #expect(r.events.count == 1)
        var expected = Self.expected
        expected.source.line = 2
        #expect(r.events[0] == expected)
        #expect(r.summary.shapes.contains("splunk"))
    }

    @Test func datadogLogsPageIsStreamed() throws {
        let text = #"{"data":[{"id":"AAA","type":"log","attributes":{"timestamp":"2023-05-15T19:14:21.031Z","service":"notion","attributes":{"event":\#(Self.event)}}},{"id":"BBB","type":"log","attributes":{"attributes":{"event":\#(Self.event.replacingOccurrences(of: "\"e1\"", with: "\"e2\""))}}}],"links":{"next":"x"},"meta":{"page":{"after":"y"}}}"#
        let r = try TestSupport.read("datadog.json", text)
        #expect(r.events.map(\.id) == ["e1", "e2"])
        #expect(r.summary.shapes.contains("datadog"))
    }

    @Test func pantherRowsAsJSONAndAsCSVAreRead() throws {
        let json = try TestSupport.read("panther.jsonl", #"{"p_log_type":"Notion.AuditLogs","p_event_time":"2023-06-12 21:40:28.690000000","p_row_id":"r1","event":{"id":"e9","type":"user.login","actor":{"id":"u","type":"person","person":{"email":"a@b.c"}},"details":{"authType":"email"}}}"#)
        #expect(json.events.count == 1)
        #expect(json.events[0].timestamp == TestSupport.ts("2023-06-12T21:40:28.690Z"))
        #expect(json.events[0].detail("authType") == "email")
        let csv = try TestSupport.read("panther.csv", "p_row_id,p_event_time,p_log_type,event\nr1,2023-06-12 21:40:28.690000000,Notion.AuditLogs,\"{\"\"id\"\":\"\"e9\"\",\"\"type\"\":\"\"user.logout\"\"}\"\n")
        #expect(csv.summary.kind == .pantherCSV)
        #expect(csv.events.map(\.key) == ["user.logout"])
        #expect(csv.events[0].timestamp == TestSupport.ts("2023-06-12T21:40:28.690Z"))
    }

    @Test func sumoLogicSearchJobIsRead() throws {
        let raw = "{\"event\":\(Self.event)}".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let text = #"{"fields":[{"name":"_raw","fieldType":"string"}],"messages":[{"map":{"_raw":"\#(raw)","_messagetime":"1684178061031"}}]}"#
        let r = try TestSupport.read("sumo.json", text)
        #expect(r.events.map(\.id) == ["e1"])
        #expect(r.summary.shapes.contains("sumo-logic"))
    }

    @Test func epochMillisecondsFromTheWrapperServeWhenTheEventHasNoTime() throws {
        let text = #"{"messages":[{"map":{"_raw":"{\"type\":\"user.login\"}","_messagetime":"1684178061031"}}]}"#
        let r = try TestSupport.read("sumo.json", text)
        #expect(r.events.map(\.timestamp) == [TestSupport.ts("2023-05-15T19:14:21.031Z")])
    }

    @Test func brokenJSONLineIsSkippedWithItsLineNumber() throws {
        let r = try TestSupport.read("s.jsonl", "\(Self.event)\n{\"type\": \"page.viewed\", \"timestamp\": \n\(Self.event)\n")
        #expect(r.events.count == 2)
        #expect(r.summary.skipped == 1)
        #expect(r.diagnostics == [Diagnostic(file: r.summary.path, line: 2, "invalid JSON: unexpected end of input, expected a value; line skipped")])
        #expect(r.events.map(\.source.line) == [1, 3])
    }

    @Test func syntaxErrorInsideADocumentIsFatalWithItsLine() throws {
        let path = TestSupport.file("doc.json", "[\n  {\"type\": \"page.viewed\",\n   \"timestamp\": \"2023-05-15T10:00:00Z\"},\n  {\"type\": oops}\n]\n")
        #expect(TestSupport.readError(path: path) == .invalidJSON(path: path, line: 4, message: "unexpected 'o', expected a value"))
    }

    @Test func recordsWithoutAnEventAreSkippedWithAReason() throws {
        let r = try TestSupport.read("s.jsonl", "{\"foo\":1}\n{\"type\":\"page.viewed\"}\n[1,2]\n{\"timestamp\":\"2023-05-15T10:00:00Z\"}\n{\"type\":\"x.y\",\"timestamp\":\"soon\"}\n")
        #expect(r.events.isEmpty)
        #expect(r.diagnostics.map(\.message) == [
            "no Notion event in this record (members: 'foo'); skipped",
            "event 'page.viewed' has no 'timestamp'; skipped",
            "record is not a JSON object; skipped",
            "event has no 'type' (members: timestamp); skipped",
            "unrecognized timestamp 'soon'; skipped",
        ])
    }

    @Test func deeplyNestedJSONIsAnErrorNotACrash() throws {
        let path = TestSupport.file("deep.json", String(repeating: "[", count: 100_000))
        #expect(TestSupport.readError(path: path) == .invalidJSON(path: path, line: 1, message: "nested deeper than 128 levels"))
    }

    @Test func invalidUTF8InAJSONStringIsRepairedAndReported() throws {
        let bytes = Array(#"{"timestamp":"2023-05-15T10:00:00Z","type":"page.viewed","details":{"page_name":"A"#.utf8) + [0xFF, 0xFE] + Array("\"}}\n".utf8)
        let r = try TestSupport.read(path: TestSupport.file("bad.jsonl", bytes))
        #expect(r.events.map(\.target.name) == ["A\u{FFFD}\u{FFFD}"])
        #expect(r.diagnostics.map(\.message) == ["invalid UTF-8 or a lone surrogate escape in a string, replaced with U+FFFD"])
    }

    @Test func gzipJSONLinesAreRead() throws {
        let r = try TestSupport.read(path: TestSupport.file("s.jsonl.gz", TestSupport.gzip(Self.event + "\n" + Self.event + "\n")))
        #expect(r.events.count == 2)
    }

    @Test func pantherIPEnrichmentFillsCityRegionAndCountry() throws {
        let row = #"{"p_log_type":"Notion.AuditLogs","p_event_time":"2026-10-05 08:00:00.000","event":{"id":"e9","timestamp":"2026-10-05 08:00:00.000","type":"user.login","ip_address":"41.58.1.2","actor":{"id":"u1","type":"person","person":{"email":"a@x.de"}},"details":{}},"p_enrichment":{"ipinfo_location":{"event.ip_address":{"city":"Lagos","region":"Lagos State","country":"NG","p_match":"41.58.1.2"}},"ipinfo_asn":{"event.ip_address":{"asn":"AS37148","name":"Globacom","type":"isp"}},"ipinfo_privacy":{"event.ip_address":{"vpn":true,"tor":false}}}}"#
        let r = try TestSupport.read("panther.jsonl", row + "\n")
        #expect(r.diagnostics.isEmpty)
        let e = try #require(r.events.first)
        #expect((e.city, e.region, e.country) == ("Lagos", "Lagos State", "NG"))
        #expect(e.details == [Field("ip.asn", "AS37148 Globacom"), Field("ip.network_type", "isp"), Field("ip.privacy", "vpn")])
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        #expect(de.countryName(e.country) == "Nigeria")
        #expect(de.detailsText(e.details) == "Netz (ASN): AS37148 Globacom; Netztyp: isp; Anonymisierungsdienst: vpn")
    }

    @Test func pantherCSVRowsCarryTheirEnrichmentToo() throws {
        let event = #"{""id"":""e9"",""timestamp"":""2026-10-05T08:00:00Z"",""type"":""user.login"",""ip_address"":""41.58.1.2"",""actor"":{""person"":{""email"":""a@x.de""}}}"#
        let enrichment = #"{""ipinfo_location"":{""p_any_ip_addresses"":[{""city"":""Berlin"",""country"":""DE"",""p_match"":""9.9.9.9""},{""city"":""Lagos"",""country"":""NG"",""p_match"":""41.58.1.2""}]}}"#
        let r = try TestSupport.read("panther.csv", "p_event_time,event,p_enrichment\n2026-10-05 08:00:00,\"\(event)\",\"\(enrichment)\"\n")
        #expect(r.diagnostics.isEmpty)
        #expect(r.events.map { "\($0.city) \($0.country)" } == ["Lagos NG"])
    }

    @Test func legacyDetailsNestedAlongTheTypesPathKeepThePageID() throws {
        let line = #"{"id":"e3","timestamp":"2026-10-05T08:00:00Z","type":"page.content_edited","actor":{"person":{"email":"a@x.de"}},"page":{"content_edited":{"target":{"type":"page_id","page_id":"p7"},"page_name":"Wiki"}}}"#
        let r = try TestSupport.read("legacy.jsonl", line + "\n")
        #expect(r.diagnostics.isEmpty)
        #expect(r.events.first?.target == Target(kind: "page", id: "p7", name: "Wiki"))
        #expect(r.events.first?.details == [])
    }

    @Test func workspaceNameAndTeamspaceOf2026EventsAreRead() throws {
        let line = #"{"id":"e4","timestamp":"2026-10-05T08:00:00Z","type":"teamspace.settings.name_updated","workspace_id":"w1","workspace_name":"Acme","actor":{"person":{"email":"a@x.de"}},"details":{"teamspace":{"id":"t1","name":"Engineering"}}}"#
        let r = try TestSupport.read("ws.jsonl", line + "\n")
        let e = try #require(r.events.first)
        #expect(e.workspace == "Acme")
        #expect(e.details == [Field("workspace_id", "w1"), Field("teamspace", "Engineering"), Field("teamspace.id", "t1")])
    }

    @Test(arguments: [("Germany", "DE"), ("Deutschland", "DE"), ("DE", "DE"), ("deu", "DE"), ("United States of America", "US"), ("USA", "US"), ("Vereinigte Staaten", "US"), ("Österreich", "AT"), ("Atlantis", "Atlantis")])
    func countriesInAnySpellingAreReadAsTheirCode(_ text: String, _ code: String) throws {
        let r = try TestSupport.read("c.csv", "Date,Event,Email,Country\n2026-10-05T08:00:00Z,Login,a@x.de,\(text)\n")
        #expect(r.events.first?.country == code)
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        let en = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        if code == "DE" { #expect((de.countryName(code), en.countryName(code)) == ("Deutschland", "Germany")) }
        if code == "Atlantis" { #expect(de.countryName(code) == "Atlantis") }
    }
}
