import Foundation
import Testing

@testable import AuditReportCore

@Suite struct ReportJobTests {
    static let csv = """
        Date,User,Email,Event,Page,Page audience
        "Oct 31, 2026, 11:30:00 PM",Anna,anna@x.de,Page viewed,Roadmap,Shared internally
        "Oct 15, 2026, 10:00:05 AM",Anna,anna@x.de,Page exported,"=cmd|' /C calc'!A0",Shared to web
        "Oct 15, 2026, 10:00:01 AM",Anna,anna@x.de,Page viewed,Roadmap,Shared internally
        "Sep 30, 2026, 10:00:00 PM",Ben,ben@x.de,Login,,

        """
    static let siem = """
        {"event":{"id":"e1","timestamp":"2026-10-15T10:00:01.250Z","actor":{"id":"u1","type":"person","person":{"email":"anna@x.de"}},"type":"page.viewed","details":{"page_name":"Roadmap","page_audience":"shared_internally","target":{"type":"page_id","page_id":"p1"}}}}
        {"event":{"id":"e2","timestamp":"2026-10-16T09:00:00.000Z","actor":{"id":"u1","type":"person","person":{"email":"anna@x.de"}},"type":"workspace.brand_new_event","details":{}}}
        {"event":{"id":"e2","timestamp":"2026-10-16T09:00:00.000Z","actor":{"id":"u1","type":"person","person":{"email":"anna@x.de"}},"type":"workspace.brand_new_event","details":{}}}

        """

    func job(_ inputs: [String], language: String = "en", zone: TimeZone = TestSupport.utc, dialect: CSVDialect = .rfc4180, out: URL) throws -> (ReportJob, DiagnosticsEngine) {
        let l = try Localizer(store: TestSupport.store, language: language, timeZone: zone)
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: zone))
        let diagnostics = DiagnosticsEngine()
        return (ReportJob(options: .init(inputs: inputs, period: period, outputDirectory: out, formats: [.csv], dialect: dialect), localizer: l, diagnostics: diagnostics), diagnostics)
    }

    @Test func theMonthIsCutInTheReportZoneAndDuplicatesAreDropped() throws {
        let csv = TestSupport.file("export.csv", Self.csv)
        let siem = TestSupport.file("stream.jsonl", Self.siem)
        let out = TestSupport.temporaryDirectory()
        let (job, diagnostics) = try self.job([csv, siem], out: out)
        let result = try job.run()
        #expect(result.written == ["events", "findings", "rules", "pages", "actors", "summary"].map { out.appendingPathComponent("audit-report-2026-10-en-\($0).csv").path } + [out.appendingPathComponent("audit-report-2026-10-en-manifest.json").path])
        // UTC: Oct 31 23:30 is in, Sep 30 22:00 is out; the CSV view and e1 are one event; e2 came twice.
        #expect(result.events == 4)
        #expect(result.inputs.map(\.outsidePeriod) == [1, 0])
        #expect(result.inputs.map(\.duplicatesDropped) == [1, 1])
        #expect(result.unmapped == [.init(key: "workspace.brand_new_event", count: 1, firstSeen: TestSupport.ts("2026-10-16T09:00:00Z"))])
        #expect(diagnostics.diagnostics.map(\.message) == ["event type 'workspace.brand_new_event' is in no catalogue; shown with a label made from the key"])
        let rows = try String(contentsOfFile: result.written[0], encoding: .utf8).components(separatedBy: "\r\n")
        #expect(rows[0].hasPrefix("Time (UTC),Event,Event key,Category,User,E-mail,"))
        #expect(rows[1].hasPrefix("2026-10-31 23:30:00,Page viewed,page.viewed,Page,Anna,anna@x.de,"))
        #expect(rows[2].hasPrefix("2026-10-16 09:00:00,Workspace: brand new event (not in catalogue),workspace.brand_new_event,Workspace,"))
        // The merged view keeps the stream's id and page id and the export's name.
        #expect(rows[3].hasPrefix("2026-10-15 10:00:05,Page exported,page.exported,"))
        #expect(rows[3].contains(",'=cmd|' /C calc'!A0,Shared to web,"))
        #expect(rows[4].hasPrefix("2026-10-15 10:00:01,Page viewed,page.viewed,Page,Anna,anna@x.de,"))
        #expect(rows[4].contains(",p1,Roadmap,Shared internally,,e1,stream.jsonl:1"))
        #expect(rows.count == 6 && rows[5].isEmpty)
    }

    @Test func germanReportInBerlinTimeMovesTheMonthBoundary() throws {
        let csv = TestSupport.file("export.csv", Self.csv)
        let out = TestSupport.temporaryDirectory()
        let (job, _) = try self.job([csv], language: "de", zone: TestSupport.berlin, dialect: .excelDE, out: out)
        let result = try job.run()
        // In Berlin, Oct 31 23:30 UTC is already November and Sep 30 22:00 UTC is October 1st.
        #expect(result.events == 3)
        let data = FileManager.default.contents(atPath: result.written[0])!
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("Zeit (MEZ/MESZ, Europe/Berlin);Ereignis;Ereignisschlüssel;Kategorie;Benutzer/-in;"))
        #expect(text.contains("\r\n01.10.2026 00:00:00;Anmeldung;user.login;Konto;Ben;ben@x.de;"))
        #expect(text.contains("15.10.2026 12:00:05;Seite exportiert;page.exported;Seite;"))
        #expect(text.contains(";Im Web geteilt;"))
    }

    @Test func aFailedRunLeavesNoOutputAndKeepsThePreviousReport() throws {
        let out = TestSupport.temporaryDirectory()
        let previous = out.appendingPathComponent("audit-report-2026-10-en-events.csv").path
        FileManager.default.createFile(atPath: previous, contents: Data("old report".utf8))
        let good = TestSupport.file("export.csv", Self.csv)
        let bad = TestSupport.file("bad.csv", "Date,Event\n2026-10-01T00:00:00Z,\"Login\n")
        let (job, _) = try self.job([good, bad], out: out)
        #expect(throws: ReadError.unterminatedQuote(path: bad, line: 2)) { try job.run() }
        #expect(try String(contentsOfFile: previous, encoding: .utf8) == "old report")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["audit-report-2026-10-en-events.csv"])
    }

    @Test func convertRefusesToOverwriteItsInput() throws {
        let input = TestSupport.file("events.csv", Self.csv)
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let job = ConvertJob(options: .init(inputs: [input], output: input), localizer: l, diagnostics: DiagnosticsEngine())
        #expect(throws: OutputError.wouldOverwriteInput(path: input)) { try job.run() }
        #expect(try String(contentsOfFile: input, encoding: .utf8) == Self.csv)
    }

    @Test func convertWritesEveryEventWithUnknownColumnsCarriedThrough() throws {
        let input = TestSupport.file("export.csv", "Date,Event,Email,Ticket\n2026-10-01T10:00:00Z,Login,a@x.de,T-1\n2025-01-01T10:00:00Z,Logout,a@x.de,T-2\n")
        let output = TestSupport.temporaryDirectory().appendingPathComponent("all.csv").path
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let count = try ConvertJob(options: .init(inputs: [input], output: output), localizer: l, diagnostics: DiagnosticsEngine()).run()
        #expect(count == 2)
        let rows = try String(contentsOfFile: output, encoding: .utf8).components(separatedBy: "\r\n")
        #expect(rows[0].hasSuffix(",Source (file:line),Ticket"))
        #expect(rows[1].hasSuffix(",export.csv:2,T-1"))
        #expect(rows[2].hasSuffix(",export.csv:3,T-2"))
    }
}

/// The tool's own events CSV is an input like any other: read back, it gives the same events.
@Suite struct EventsCSVRoundTripTests {
    @Test(arguments: [("en", CSVDialect.rfc4180, "UTC"), ("de", CSVDialect.excelDE, "Europe/Berlin"), ("de", CSVDialect.rfc4180, "UTC"), ("en", CSVDialect.excelDE, "Europe/Berlin")])
    func theEventsCSVReadsBackEventForEvent(_ language: String, _ dialect: CSVDialect, _ zoneName: String) throws {
        let zone = TimeZone(identifier: zoneName)!
        let inputs = [TestSupport.file("export.csv", ReportJobTests.csv), TestSupport.file("stream.jsonl", ReportJobTests.siem)]
        let out = TestSupport.temporaryDirectory()
        let (job, _) = try ReportJobTests().job(inputs, language: language, zone: zone, dialect: dialect, out: out)
        let result = try job.run()
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: zone))
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: inputs, period: period), diagnostics: DiagnosticsEngine())
        try pipeline.read()
        var original: [AuditEvent] = []
        try pipeline.emit { original.append($0) }
        original.removeAll { !period.contains($0.timestamp) }
        // Read back with the wrong default zone: the header names the zone the times are in.
        let back = try TestSupport.read(path: result.written[0], inputTimeZone: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(back.diagnostics.filter { !$0.message.contains("no catalogue") } == [])
        #expect(back.events.count == original.count)
        for (a, b) in zip(original, back.events) {
            #expect(a.timestamp.seconds == b.timestamp.seconds)
            #expect(a.key == b.key)
            #expect((a.actor.email, a.actor.name, a.id) == (b.actor.email, b.actor.name, b.id))
            #expect((a.target.id, a.target.name, a.audience) == (b.target.id, b.target.name, b.audience))
        }
    }
}

@Suite struct ReconciliationTests {
    /// A CSV export and a stream that overlap, with retries, events before and after the month,
    /// and a duplicate of an event outside the month: each event read is counted exactly once.
    @Test func everyEventReadIsInThePeriodOutsideItOrADuplicate() throws {
        let csv = TestSupport.file("export.csv", """
            Date,Email,Event,Page
            2026-11-01T00:00:00Z,a@x.de,Page viewed,Roadmap
            2026-10-20T10:00:00Z,a@x.de,Page viewed,Roadmap
            2026-10-20T10:00:00Z,b@x.de,Page exported,Wiki
            2026-10-01T00:00:00Z,a@x.de,Login,
            2026-09-30T23:59:59Z,a@x.de,Login,

            """)
        let siem = TestSupport.file("stream.jsonl", """
            {"id":"s1","timestamp":"2026-11-01T00:00:00.400Z","type":"page.viewed","actor":{"person":{"email":"a@x.de"}},"details":{"page_name":"Roadmap"}}
            {"id":"s2","timestamp":"2026-10-20T10:00:00.100Z","type":"page.viewed","actor":{"person":{"email":"a@x.de"}},"details":{"page_name":"Roadmap"}}
            {"id":"s2","timestamp":"2026-10-20T10:00:00.100Z","type":"page.viewed","actor":{"person":{"email":"a@x.de"}},"details":{"page_name":"Roadmap"}}
            {"id":"s3","timestamp":"2026-10-15T08:00:00Z","type":"page.locked","actor":{"person":{"email":"a@x.de"}},"details":{}}
            {"id":"s4","timestamp":"2026-09-30T23:59:59.900Z","type":"user.login","actor":{"person":{"email":"a@x.de"}},"details":{}}

            """)
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.utc))
        let previous = try ReportPeriod(parsing: "2026-09", zone: ZoneResolver(timeZone: TestSupport.utc))
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: [csv, siem], period: period, comparisonPeriod: previous), diagnostics: DiagnosticsEngine())
        try pipeline.read()
        var events: [AuditEvent] = []
        try pipeline.emit { events.append($0) }
        let inputs = pipeline.inputs
        #expect(inputs.map(\.read.events) == [5, 5])
        #expect(inputs.map(\.outsidePeriod) == [2, 2])
        #expect(inputs.map(\.duplicatesDropped) == [1, 1])
        #expect(inputs.map(\.inPeriod) == [2, 2])
        #expect(inputs.allSatisfy { $0.reconciles })
        #expect(events.filter { period.contains($0.timestamp) }.count == 4)
    }
}
