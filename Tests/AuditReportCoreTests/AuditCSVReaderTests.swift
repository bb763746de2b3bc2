import Testing

@testable import AuditReportCore

@Suite struct AuditCSVReaderTests {
    @Test func englishExportWithLabelsIsRead() throws {
        let r = try TestSupport.read("export.csv", #"""
            User,Email,Role,Event,Date/Time,Platform,IP address,City,Country,Page,Page audience,Teamspace
            Anna Müller,anna@example.com,Member,Page viewed,"May 15, 2023, 7:14:21 PM",web,85.1.2.3,Berlin,Germany,Roadmap,Shared internally,Engineering
            Bot,,,page.exported,2023-05-15T19:15:00Z,,,,,"Q4, ""final""",Shared to web,

            """#)
        #expect(r.diagnostics.isEmpty)
        #expect(r.summary.kind == .auditCSV)
        #expect(r.events.count == 2)
        let e = r.events[0]
        #expect(e.key == "page.viewed")
        #expect(e.timestamp == TestSupport.ts("2023-05-15T19:14:21Z"))
        #expect(e.actor == Actor(email: "anna@example.com", name: "Anna Müller"))
        #expect((e.role, e.platform, e.ipAddress, e.city, e.country) == ("Member", "web", "85.1.2.3", "Berlin", "DE"))
        #expect(e.target == Target(kind: "page", name: "Roadmap"))
        #expect(e.audience == .sharedInternally)
        #expect(e.details == [Field("teamspace", "Engineering")])
        #expect(e.extras == [])
        #expect(e.source == SourceLocation(input: 0, line: 2))
        #expect(r.events[1].key == "page.exported")
        #expect(r.events[1].target.name == "Q4, \"final\"")
        #expect(r.events[1].audience == .sharedToWeb)
    }

    @Test func semicolonDelimitedGermanExportWithBOMIsRead() throws {
        let text = "\u{FEFF}Nutzer;E-Mail;Ereignis;Datum;Seite;Zielgruppe\r\nJürgen Weber;j@example.de;Seite angesehen;15.05.2023 21:14;Übersicht;Im Web geteilt\r\nJürgen Weber;j@example.de;Aktualisierung der Seitenberechtigung;15.05.2023 21:15;Übersicht;Extern geteilt\r\n"
        let r = try TestSupport.read("export-de.csv", text, inputTimeZone: TestSupport.berlin)
        #expect(r.diagnostics.isEmpty)
        #expect(r.events.map(\.key) == ["page.viewed", "group.page_permission_update"])
        // 21:14 in Berlin summer time is 19:14 UTC.
        #expect(r.events[0].timestamp == TestSupport.ts("2023-05-15T19:14:00Z"))
        #expect(r.events.map(\.audience) == [.sharedToWeb, .sharedExternally])
    }

    @Test func japaneseHeadersAndTabsAreRecognised() throws {
        let r = try TestSupport.read("export-ja.tsv", "ユーザー\tメールアドレス\tロール\tイベント\t日時\tプラットフォーム\tIPアドレス\t市区町村\t国\nTaro\ttaro@example.jp\tMember\tuser.login\t2023/05/15 19:14\tmac-desktop\t1.2.3.4\tTokyo\tJapan\n")
        #expect(r.events.count == 1)
        #expect(r.events[0].key == "user.login")
        #expect(r.events[0].city == "Tokyo")
        #expect(r.events[0].platform == "mac-desktop")
    }

    @Test func locationColumnSplitsIntoCityAndCountry() throws {
        let r = try TestSupport.read("loc.csv", "Event,Timestamp,Location,Email\nLogin,2023-05-15T10:00:00Z,\"Frankfurt am Main, Germany\",a@b.c\nLogin,2023-05-15T10:00:00Z,Austria,a@b.c\n")
        #expect(r.events.map(\.city) == ["Frankfurt am Main", ""])
        #expect(r.events.map(\.country) == ["DE", "AT"])
    }

    @Test func unknownEventLabelIsKeptAsWritten() throws {
        let r = try TestSupport.read("u.csv", "Event,Date\nSomething new happened,2023-05-15T10:00:00Z\nworkspace.brand_new_thing,2023-05-15T10:00:00Z\n")
        #expect(r.events.map(\.key) == ["Something new happened", "workspace.brand_new_thing"])
    }

    @Test func missingRequiredColumnsIsAnErrorNamingTheHeader() throws {
        let path = TestSupport.file("noevent.csv", "User,Date,Page\nAnna,2023-05-15T10:00:00Z,Roadmap\n")
        #expect(TestSupport.readError(path: path) == .missingColumns(path: path, line: 1, missing: ["Event"], header: ["User", "Date", "Page"]))
        let message = ReadError.missingColumns(path: path, line: 1, missing: ["Event"], header: ["User", "Date", "Page"]).description
        #expect(message == "\(path):1: error: missing required column 'Event'; the header has 'User', 'Date', 'Page'")
    }

    @Test func wrongFieldCountSkipsTheRowWithAWarning() throws {
        let r = try TestSupport.read("short.csv", "Event,Date,User\nLogin,2023-05-15T10:00:00Z,Anna\nLogin,2023-05-15T11:00:00Z\nLogout,2023-05-15T12:00:00Z,Anna\n")
        #expect(r.events.map(\.key) == ["user.login", "user.logout"])
        #expect(r.summary.skipped == 1)
        #expect(r.diagnostics == [Diagnostic(file: r.summary.path, line: 3, "expected 3 fields as in the header, found 2; row skipped")])
    }

    @Test func wrongFieldCountIsFatalInStrictMode() throws {
        let path = TestSupport.file("short.csv", "Event,Date,User\nLogin,2023-05-15T11:00:00Z\n")
        #expect(throws: StrictModeError(diagnostic: Diagnostic(file: path, line: 2, "expected 3 fields as in the header, found 2; row skipped"))) {
            try TestSupport.read(path: path, strict: true)
        }
    }

    @Test func invalidUTF8IsRepairedAndReported() throws {
        let bytes = Array("Event,Date,Email,Page\nPage viewed,2023-05-15T10:00:00Z,a@x.de,Bad ".utf8) + [0xC3, 0x28, 0xFF] + Array("\n".utf8)
        // Declared UTF-8, the file's bad bytes are repaired (unforced, it would be read as Windows-1252).
        let r = try TestSupport.read(path: TestSupport.file("bad-utf8.csv", bytes), encoding: .utf8)
        #expect(r.events.count == 1)
        #expect(r.events[0].target.name == "Bad \u{FFFD}(\u{FFFD}")
        #expect(r.diagnostics.map(\.message) == ["invalid UTF-8 in column 'Page', replaced with U+FFFD"])
        #expect(r.diagnostics.map(\.line) == [2])
    }

    @Test func recurringLongCellsReadAsWrittenWhetherValidOrNot() throws {
        // Long cells (past 15 bytes) are shared through a table: a text met before comes from it,
        // bad bytes never do and are repaired and reported on every row.
        let header = Array("Event,Date,Email,Page\n".utf8)
        let good = Array("Page viewed,2023-05-15T10:00:00Z,anna.mueller@example.com,Übersicht Kundenliste München\n".utf8)
        let bad = Array("Page viewed,2023-05-15T10:01:00Z,anna.mueller@example.com,Übersicht Kundenliste ".utf8) + [0xC3, 0x28, 0xFF] + Array("\n".utf8)
        let r = try TestSupport.read(path: TestSupport.file("recurring.csv", header + good + bad + good + bad), encoding: .utf8)
        let names = ["Übersicht Kundenliste München", "Übersicht Kundenliste \u{FFFD}(\u{FFFD}"]
        #expect(r.events.map(\.target.name) == [names[0], names[1], names[0], names[1]])
        #expect(r.events.allSatisfy { $0.actor.email == "anna.mueller@example.com" })
        #expect(r.diagnostics.map(\.line) == [3, 5])
    }

    @Test func unparseableTimestampSkipsTheRow() throws {
        let r = try TestSupport.read("t.csv", "Event,Date,Email\nLogin,next tuesday,a@x.de\nLogin,,a@x.de\n")
        #expect(r.events.isEmpty)
        #expect(r.diagnostics.map(\.message) == ["unrecognized timestamp 'next tuesday'; row skipped", "an empty time; row skipped"])
    }

    @Test func theColumnsNotionsExportsHaveTodayAreRead() throws {
        let r = try TestSupport.read("export-2026.csv", """
            Time (UTC),Person or agent,Actor email,Event name,Workspace name,Organization,Teamspace,Related
            2026-10-05 08:00:00,Anna Müller,anna@example.com,Page lock status changed,Acme,Acme Org,Engineering,Roadmap

            """)
        #expect(r.diagnostics == [])
        let e = try #require(r.events.first)
        #expect(e.timestamp == TestSupport.ts("2026-10-05T08:00:00Z"))
        #expect(e.actor == Actor(email: "anna@example.com", name: "Anna Müller"))
        #expect(e.key == "group.page_lock_status_changed")
        #expect(e.workspace == "Acme")
        #expect(e.details == [Field("teamspace", "Engineering"), Field("organization", "Acme Org"), Field("related", "Roadmap")])
        #expect(e.extras == [])
    }

    @Test(arguments: [
        ("Zeit (MEZ/MESZ, Europe/Berlin)", "2026-09-30T22:00:00Z"), ("Time (UTC)", "2026-10-01T00:00:00Z"),
        ("Date (UTC+02:00)", "2026-09-30T22:00:00Z"), ("Zeit (UTC-03:30)", "2026-10-01T03:30:00Z"),
    ])
    func aTimeColumnWhoseHeaderNamesItsZoneIsReadInThatZone(_ header: String, _ instant: String) throws {
        // The header's zone wins over the run's default zone for zone-less times.
        let r = try TestSupport.read("z.csv", "\"\(header)\",Event,Email\n2026-10-01 00:00:00,Login,a@x.de\n", inputTimeZone: TestSupport.utc)
        #expect(r.diagnostics == [])
        #expect(r.events.map(\.timestamp) == [TestSupport.ts(instant)])
    }

    @Test func aCSVWithoutAnActorColumnIsAWarningAndUnderStrictAnError() throws {
        let text = "Date,Event\n2026-10-01T00:00:00Z,Login\n"
        let r = try TestSupport.read("no-actor.csv", text)
        #expect(r.events.count == 1)
        #expect(r.diagnostics.map(\.description) == [
            "\(r.summary.path):1: warning: no column names who acted (such as 'User' or 'Email'); the events are read without a person"
        ])
        #expect(throws: StrictModeError.self) { try TestSupport.read("no-actor.csv", text, strict: true) }
    }

    @Test func emptyAndBlankFilesAreErrors() throws {
        let empty = TestSupport.file("empty.csv", "")
        #expect(TestSupport.readError(path: empty) == .emptyFile(path: empty))
        let blank = TestSupport.file("blank.csv", "\n\n  \n")
        #expect(TestSupport.readError(path: blank) == .emptyFile(path: blank))
        let bom = TestSupport.file("bom.csv", [0xEF, 0xBB, 0xBF])
        #expect(TestSupport.readError(path: bom) == .emptyFile(path: bom))
    }

    @Test func binaryFilesMissingFilesAndDirectoriesAreErrors() throws {
        let binary = TestSupport.file("image.csv", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0])
        #expect(TestSupport.readError(path: binary) == .binaryData(path: binary, line: 3))
        #expect(TestSupport.readError(path: "/nonexistent/x.csv") == .cannotOpen(path: "/nonexistent/x.csv", reason: "no such file or directory"))
        let dir = TestSupport.temporaryDirectory().path
        #expect(TestSupport.readError(path: dir) == .isDirectory(path: dir))
    }

    @Test func gzipInputIsReadTransparently() throws {
        let path = TestSupport.file("export.csv.gz", TestSupport.gzip("Event,Date\nLogin,2023-05-15T10:00:00Z\n"))
        let r = try TestSupport.read(path: path)
        #expect(r.events.map(\.key) == ["user.login"])
    }

    @Test func truncatedGzipIsAnError() throws {
        var text = "Event,Date\n"
        for i in 0..<2000 { text += "Login,2023-05-15T10:00:\(i % 50 + 10)Z\n" }
        let bytes = TestSupport.gzip(text)
        let path = TestSupport.file("cut.csv.gz", Array(bytes.prefix(bytes.count / 2)))
        #expect(TestSupport.readError(path: path) == .truncatedGzip(path: path))
    }

    @Test func everyColumnFieldHasItsOwnSlot() {
        #expect(CSVField.allCases.map(\.ordinal) == Array(CSVField.allCases.indices))
    }
}

/// The zone inference's window: rows it turns down are passed over before they become events.
@Suite struct ZoneLessRowFilterTests {
    @Test func rowsTurnedDownAreNeitherHandedOnNorCounted() throws {
        let path = TestSupport.file("w.csv", """
            Date,Email,Event
            2026-10-01 08:00:00,a@x.de,Login
            2026-10-02 08:00:00,b@x.de,Login
            2026-10-03T08:00:00Z,c@x.de,Login
            2026-10-04 08:00:00,d@x.de,Login

            """)
        var asked: [Int] = []
        var context = ReadContext(store: TestSupport.store, inputIndex: 0, inputTimeZone: TestSupport.utc, diagnostics: DiagnosticsEngine())
        context.readsZoneLessRow = { civil in
            asked.append(civil.day)
            return civil.day != 2
        }
        var hooked: [String] = []
        context.onZoneLessTime = { _, event in
            hooked.append(event.actor.email)
            return nil
        }
        var events: [AuditEvent] = []
        let summary = try InputReader.read(path: path, context: context) { events.append($0) }
        // A time that names its zone is not asked about.
        #expect(asked == [1, 2, 4])
        #expect(hooked == ["a@x.de", "d@x.de"])
        #expect(events.map(\.actor.email) == ["a@x.de", "c@x.de", "d@x.de"])
        #expect(summary.events == 3)
    }
}
