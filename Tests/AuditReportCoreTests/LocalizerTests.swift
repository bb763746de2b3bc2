import Foundation
import Testing

@testable import AuditReportCore

@Suite struct LocalizerTests {
    let de = try! Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.berlin)
    let en = try! Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)

    /// Every field of a pattern, short and long, in a buffer sized from the pattern.
    @Test func patternsFillEveryFieldInEachWidth() {
        let c = CivilDateTime(year: 2026, month: 3, day: 5, hour: 7, minute: 4, second: 9, millisecond: 0)
        #expect(de.format(c, pattern: "EEEE, d. MMMM yyyy, H:mm:ss 'Uhr'") == "Donnerstag, 5. März 2026, 7:04:09 'Uhr'")
        #expect(en.format(c, pattern: "dd/MM/yy HH.mm.ss M") == "05/03/26 07.04.09 3")
        #expect(en.format(CivilDateTime(year: 987, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 0), pattern: "yyyy-MM-dd") == "0987-12-31")
        #expect(en.format(CivilDateTime(year: 12345, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0), pattern: "yyyy") == "12345")
        #expect(en.format(c, pattern: "") == "")
    }

    /// A single detail's text is remembered by its name and value: another value of the same
    /// name, or the same value of another name, gets its own.
    @Test func singleDetailsAreWordedPerNameAndValue() {
        let l = try! Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.berlin)
        #expect(l.detailsText([Field("teamspace", "Marketing")]) == "Teamspace: Marketing")
        #expect(l.detailsText([Field("teamspace", "Vertrieb")]) == "Teamspace: Vertrieb")
        #expect(l.detailsText([Field("custom", "Marketing")]) == "custom: Marketing")
        #expect(l.detailsText([Field("teamspace", "Marketing")]) == "Teamspace: Marketing")
        #expect(l.detailsText([Field("new_permission", "full_access")]) == "Neue Berechtigung: Vollzugriff")
        #expect(l.detailsText([]) == "")
    }

    /// The source column: the input's name and the line, at any size of either.
    @Test func sourceTextsJoinNameAndLine() {
        #expect(EventColumn.sourceText("a.csv", 0) == "a.csv:0")
        #expect(EventColumn.sourceText("Prüfung 2026.jsonl", 1_234_567) == "Prüfung 2026.jsonl:1234567")
        #expect(EventColumn.sourceText("", 9) == ":9")
        #expect(EventColumn.sourceText("x", Int.max) == "x:\(Int.max)")
        #expect(EventColumn.sourceText("x", -12) == "x:-12")
        #expect(EventColumn.sourceText(String(repeating: "n", count: 300), 10) == String(repeating: "n", count: 300) + ":10")
    }

    @Test func germanNumbersAndDatesUseGermanForms() {
        #expect(de.number(1_234_567) == "1.234.567")
        #expect(de.number(-1000) == "-1.000")
        #expect(de.decimal(1234.56, places: 1) == "1.234,6")
        #expect(de.dateTime(TestSupport.ts("2023-05-15T19:14:05Z")) == "15.05.2023 21:14:05")
        #expect(de.date(TestSupport.ts("2023-12-31T23:30:00Z")) == "01.01.2024")
        #expect(de.monthTitle(year: 2026, month: 3) == "März 2026")
        #expect(de.timeZoneLabel() == "MEZ/MESZ (Europe/Berlin)")
    }

    @Test func englishUsesISOFormsAndGroupsWithCommas() {
        #expect(en.number(1_234_567) == "1,234,567")
        #expect(en.number(12) == "12")
        #expect(en.dateTime(TestSupport.ts("2023-05-15T19:14:05Z")) == "2023-05-15 19:14:05")
        #expect(en.monthTitle(year: 2026, month: 10) == "October 2026")
        #expect(en.timeZoneLabel().hasPrefix("GMT") || en.timeZoneLabel().hasPrefix("UTC"))
    }

    @Test func conversionIsPerValueAcrossTheDaylightSavingChange() {
        // 2026-10-25 03:00 CEST → 02:00 CET.
        #expect(de.dateTime(TestSupport.ts("2026-10-25T00:30:00Z")) == "25.10.2026 02:30:00")
        #expect(de.dateTime(TestSupport.ts("2026-10-25T01:30:00Z")) == "25.10.2026 02:30:00")
        #expect(de.dateTime(TestSupport.ts("2026-10-25T02:30:00Z")) == "25.10.2026 03:30:00")
    }

    @Test func detailsReadAsTextInTheLanguage() {
        let details = [Field("old_permission", "none"), Field("new_permission", "full_access"), Field("state", "disabled"), Field("custom", "x")]
        #expect(de.detailsText(details) == "Bisherige Berechtigung: Kein Zugriff; Neue Berechtigung: Vollzugriff; Status: deaktiviert; custom: x")
        #expect(en.detailsText(details) == "Previous permission: No access; New permission: Full access; State: disabled; custom: x")
    }

    @Test func aThirdLanguageFromAFileRendersWithoutCodeChanges() throws {
        let store = try LocaleStore.load(from: TestSupport.localesURL, extraPacks: [TestSupport.fixtures.appendingPathComponent("locales/fr.json")])
        let fr = try Localizer(store: store, language: "fr", timeZone: TimeZone(identifier: "Europe/Paris")!)
        #expect(fr.eventLabel("page.viewed") == "Page consultée")
        #expect(fr.eventLabel("page.exported") == "Page exported")
        #expect(fr.audienceLabel(.sharedToWeb) == "Publié sur le Web")
        #expect(fr.number(1_234_567) == "1\u{202F}234\u{202F}567")
        #expect(fr.monthTitle(year: 2026, month: 8) == "août 2026")
        #expect(EventColumn.time.header(fr).hasPrefix("Heure ("))
        // A French export's label resolves back to its key too.
        #expect(store.resolveEvent("Page consultée") == "page.viewed")
        // And it renders a whole CSV.
        let path = TestSupport.temporaryDirectory().appendingPathComponent("fr.csv").path
        let file = try OutputFile(path: path)
        let renderer = EventCSVRenderer(file: file, dialect: .rfc4180, localizer: fr, extraColumns: [], sources: ["x.csv"])
        renderer.write(AuditEvent(timestamp: TestSupport.ts("2026-08-01T10:00:00Z"), key: "page.viewed", audience: .private, source: SourceLocation(input: 0, line: 2)))
        try file.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("01/08/2026 12:00:00,Page consultée,page.viewed,Page,"))
        #expect(text.contains(",Privé,"))
    }
}
