import Foundation
import Testing

@testable import AuditReportCore

@Suite struct XLSXTextTests {
    /// Cells are checked eight bytes at a time: what needs changing is found at every place of
    /// texts up to 24 bytes long, also an "_x…_" escape whose "_" ends a word.
    @Test func aCharacterToChangeIsFoundAtEveryPlace() {
        let cases: [(String, String?)] = [("\u{1}", "\u{FFFD}"), ("\u{7F}", "\u{FFFD}"), ("\r\n", "\n"), ("_x0041_", "_x005F_x0041_"), ("\t", nil), ("\n", nil), ("_", nil), ("_a", nil), ("ü", nil)]
        for (special, replacement) in cases {
            for before in 0...17 {
                for after in [0, 1, 8] {
                    let text = String(repeating: "a", count: before) + special + String(repeating: "b", count: after)
                    let changed = XLSXText.changedCell(text, marker: "")
                    if let replacement {
                        #expect(changed?.text == String(repeating: "a", count: before) + replacement + String(repeating: "b", count: after), "\(before) \(special.debugDescription)")
                    } else {
                        #expect(changed == nil, "\(before) \(special.debugDescription)")
                    }
                }
            }
        }
    }

    @Test func controlCharactersAndExcelEscapesAreMadeHarmless() {
        #expect(XLSXText.cell("a\u{1}b\u{7F}c", marker: "").text == "a\u{FFFD}b\u{FFFD}c")
        #expect(XLSXText.cell("one\r\ntwo\rthree\tfour", marker: "").text == "one\ntwo\nthree\tfour")
        #expect(XLSXText.cell("_x0041_ and _xBEEF_ but not _x12_ or _xGGGG_", marker: "").text == "_x005F_x0041_ and _x005F_xBEEF_ but not _x12_ or _xGGGG_")
        #expect(XLSXText.cell("plain ünicode 🚀", marker: "") == ("plain ünicode 🚀", false))
    }

    @Test func textOverExcelsLimitIsCutWithAVisibleMarker() {
        let long = String(repeating: "🚀", count: 20_000)  // 40,000 UTF-16 units
        let (text, cut) = XLSXText.cell(long, marker: " [cut]")
        #expect(cut)
        #expect(text.hasSuffix(" [cut]"))
        #expect(text.utf16.count <= 32_767)
        #expect(text.utf16.count >= 32_767 - 7)
        #expect(XLSXText.cell(String(repeating: "a", count: 32_767), marker: " [cut]").truncated == false)
    }

    /// The cut falls before a character that would cross the limit, never inside it: an
    /// accent on its letter, a flag's two halves, a family of four joined stay whole or go.
    @Test func aCutNeverSplitsACharacter() {
        let budget = 32_767 - " [cut]".utf16.count
        for (character, width) in [("e\u{301}", 2), ("🇩🇪", 4), ("👨‍👩‍👧‍👦", 11)] {
            for before in [budget - width, budget - width + 1] {
                let text = String(repeating: "a", count: before) + character + String(repeating: "b", count: 100)
                let (cut, truncated) = XLSXText.cell(text, marker: " [cut]")
                #expect(truncated)
                let kept = before + width <= budget ? String(repeating: "a", count: before) + character + String(repeating: "b", count: budget - before - width) : String(repeating: "a", count: before)
                #expect(cut == kept + " [cut]")
            }
        }
        // ASCII throughout is cut at the limit; an accent after the last letter kept takes it along.
        let ascii = String(repeating: "a", count: budget) + String(repeating: "b", count: 10)
        #expect(XLSXText.cell(ascii, marker: " [cut]") == (String(repeating: "a", count: budget) + " [cut]", true))
        #expect(XLSXText.cell(String(repeating: "a", count: budget) + "\u{301}" + String(repeating: "b", count: 10), marker: " [cut]") == (String(repeating: "a", count: budget - 1) + " [cut]", true))
    }

    @Test(arguments: [
        ("Events", [String](), "Events"),
        ("Ereignisse: [alle]*?/\\", [], "Ereignisse alle"),
        ("'quoted'", [], "quoted"),
        ("Nicht zugeordnete Ereignistypen und mehr", [], "Nicht zugeordnete Ereignistypen"),
        ("ÜBERSICHT", ["Übersicht"], "ÜBERSICHT (2)"),
        ("Events", ["events", "Events (2)"], "Events (3)"),
        ("", [], "Sheet"),
        ("History", [], "Sheet"),
        (String(repeating: "Ä", count: 40), [String(repeating: "Ä", count: 31)], String(repeating: "Ä", count: 27) + " (2)"),
    ])
    func sheetNamesAreValidAndUnique(_ proposed: String, _ existing: [String], _ expected: String) {
        let name = XLSXText.sheetName(proposed, existing: existing)
        #expect(name == expected)
        #expect(name.unicodeScalars.count <= 31)
    }

    @Test func serialNumbersFollowExcelsEpoch() {
        #expect(XLSXText.serial(CivilDateTime(year: 1900, month: 3, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0)) == 61)
        #expect(XLSXText.serial(CivilDateTime(year: 2026, month: 10, day: 15, hour: 12, minute: 0, second: 0, millisecond: 0)) == 46310.5)
    }
}

/// The events sheet's rows made from a run's texts: each text is checked once by identity
/// (`TextIdentityCache`), so these pin that what recurs is still made safe on every row.
@Suite struct XLSXEventRowTests {
    @Test func rowsFromTextsKeepCleanTextsAndChangeOthersEveryTime() throws {
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let dir = TestSupport.temporaryDirectory()
        let workbook = try XLSXWorkbook(path: dir.appendingPathComponent("rows.xlsx").path, displayPath: "rows.xlsx", created: Timestamp(milliseconds: 0), temporaryDirectory: dir.path)
        var cut: [(AuditReportCore.SourceLocation, String)] = []
        let writer = XLSXEventSheetWriter(
            workbook: workbook, localizer: l, columns: EventColumn.allCases.map { .standard($0) }, sources: ["in.csv"]
        ) { source, column, _ in cut.append((source, column)) }
        let event = AuditEvent(timestamp: TestSupport.ts("2026-10-15T12:00:00Z"), key: "page.viewed", actor: Actor(email: "anna@x.de"), target: Target(kind: "page", id: "p1", name: "Roadmap"))
        let long = String(repeating: "x", count: 40_000)
        let hostile = "a\u{1}b _x0041_ " + String(repeating: "y", count: 30)
        var texts = EventTexts(event, l, sources: ["in.csv"], extraColumns: [])
        let title = try #require(EventColumn.allCases.firstIndex(of: .pageName))
        let time = try #require(EventColumn.allCases.firstIndex(of: .time))
        #expect(writer.takes(texts))
        for (line, text) in [(1, hostile), (2, hostile), (3, long), (4, long), (5, "Roadmap")] {
            texts = EventTexts(cells: texts.cells.enumerated().map { $0.offset == title ? text : $0.element })
            let row = try writer.row(timestamp: event.timestamp, source: AuditReportCore.SourceLocation(input: 0, line: line), texts: texts)
            #expect(row.serial == 46310.5)
            #expect(row.texts[time] == texts.cells[time])
            for i in row.texts.indices where i != title { #expect(row.texts[i] == texts.cells[i]) }
            switch line {
            case 1, 2: #expect(row.texts[title] == "a\u{FFFD}b _x005F_x0041_ " + String(repeating: "y", count: 30))
            case 3, 4: #expect(row.texts[title].hasSuffix(l.string("xlsx.truncated_marker")) && row.texts[title].utf16.count <= 32_767)
            default: #expect(row.texts[title] == "Roadmap")
            }
        }
        // A cut text is told each time it is met; the run's own handler says it once.
        #expect(cut.map { $0.0.line } == [3, 4])
        #expect(cut.allSatisfy { $0.1 == "Page" })
        try writer.finish()
        try workbook.close()
    }
}

@Suite struct XLSXReportTests {
    static let csv = #"""
        Date,User,Email,Event,Page,Page audience,Ticket
        "Oct 31, 2026, 11:30:00 PM",Anna,anna@x.de,Page viewed,Roadmap,Shared internally,T-1
        "Oct 15, 2026, 10:00:05 AM",Anna,anna@x.de,Page exported,"=HYPERLINK(""http://evil.example"",""x"")",Shared to web,
        "Oct 15, 2026, 10:00:01 AM",Ben,ben@x.de,Page viewed,_x0041_ <script>alert(1)</script>,Shared internally,
        "Oct 14, 2026, 09:00:00 AM",Ben,ben@x.de,workspace.brand_new_thing,,,
        "Oct 10, 2026, 09:00:00 AM",Ben,ben@x.de,Page viewed,Budget,Private,
        "Oct 9, 2026, 09:00:00 AM",Ben,ben@x.de,Page viewed,Budget,Private,
        "Oct 8, 2026, 09:00:00 AM",Ben,ben@x.de,Page viewed,Budget,Private,
        "Sep 12, 2026, 09:00:00 AM",Ben,ben@x.de,Page viewed,Budget,Private,

        """#

    func report(language: String = "en", zone: TimeZone = TestSupport.utc, rowsPerSheet: Int = XLSXEventSheetWriter.excelRowLimit, maxRows: Int? = nil, rules: FindingRules = FindingRules(rules: []), out: URL = TestSupport.temporaryDirectory()) throws -> (ReportJob.Result, WorkbookReader) {
        let input = TestSupport.file("export.csv", Self.csv)
        let l = try Localizer(store: TestSupport.store, language: language, timeZone: zone)
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: zone))
        let job = ReportJob(options: .init(inputs: [input], period: period, outputDirectory: out, formats: [.xlsx], maxEventRows: maxRows, rowsPerSheet: rowsPerSheet, rules: rules), localizer: l, diagnostics: DiagnosticsEngine())
        let result = try job.run()
        return (result, try WorkbookReader(path: result.written[0]))
    }

    @Test func englishWorkbookHasItsSheetsHeadersAndRealDates() throws {
        let (result, book) = try report()
        #expect(result.written[0].hasSuffix("audit-report-2026-10-en.xlsx"))
        #expect(book.sheetNames == ["Summary", "Findings", "Pages", "Actors", "Rules", "Events", "Unmapped event types"])
        #expect(try book.row("Events", 1, count: 4) == ["Time (UTC)", "Event", "Event key", "Category"])
        #expect(try book.cell("Events", "V1")?.value == "Ticket")
        let time = try #require(try book.cell("Events", "A2"))
        #expect(time.type == "n")
        #expect(time.numberFormat == "yyyy-mm-dd hh:mm:ss")
        #expect(abs(Double(time.value)! - XLSXText.serial(CivilDateTime(year: 2026, month: 10, day: 31, hour: 23, minute: 30, second: 0, millisecond: 0))) < 1e-9)
        #expect(try book.cell("Events", "V2")?.value == "T-1")
        #expect(!book.hasFormulas)
        #expect(try book.cell("Summary", "A1")?.value == "Notion audit report – October 2026")
        // Printed, every page of the events shows the time and the event and the header row.
        let workbookXML = try #require(book.parts["xl/workbook.xml"])
        #expect(workbookXML.contains("Events!$A:$B,Events!$1:$1"))
        #expect(workbookXML.contains("Findings!$3:$3"))
        // Every printed page of the events names the report and its month.
        #expect(book.sheetXML("Events").contains("<oddFooter>&amp;LNotion audit report October 2026&amp;RPage &amp;P of &amp;N</oddFooter>"))
    }

    @Test func hostileTextStaysTextAndEscapesStayLiteral() throws {
        let (_, book) = try report()
        let xml = book.sheetXML("Events")
        #expect(xml.contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)") || xml.contains("=HYPERLINK(\"http://evil.example\",\"x\")"))
        #expect(xml.contains("_x005F_x0041_ &lt;script&gt;"))
        #expect(!book.hasFormulas)
        #expect(!book.parts.keys.contains { $0.contains("hyperlink") || $0.hasSuffix(".rels") && book.parts[$0]!.contains("hyperlink") })
    }

    @Test func germanWorkbookIsGermanThroughout() throws {
        let (_, book) = try report(language: "de", zone: TestSupport.berlin)
        #expect(book.sheetNames == ["Übersicht", "Befunde", "Seiten", "Personen", "Regeln", "Ereignisse", "Nicht zugeordnete Ereignistypen"])
        #expect(try book.row("Ereignisse", 1, count: 4) == ["Zeit (MEZ/MESZ, Europe/Berlin)", "Ereignis", "Ereignisschlüssel", "Kategorie"])
        #expect(try book.cell("Ereignisse", "A2")?.numberFormat == "dd.mm.yyyy hh:mm:ss")
        #expect(try book.cell("Übersicht", "A1")?.value == "Notion-Auditbericht – Oktober 2026")
        // Oct 31, 23:30 UTC is November in Berlin; the newest October event is the export.
        #expect(try book.cell("Ereignisse", "B2")?.value == "Seite exportiert")
    }

    @Test func eventsContinueOnNewSheetsAtTheRowLimit() throws {
        let (result, book) = try report(rowsPerSheet: 3)
        #expect(result.events == 7)
        #expect(book.sheetNames == ["Summary", "Findings", "Pages", "Actors", "Rules", "Events", "Events (2)", "Events (3)", "Unmapped event types"])
        for sheet in ["Events", "Events (2)", "Events (3)"] {
            #expect(try book.cell(sheet, "A1")?.value == "Time (UTC)")
        }
        #expect(try book.cell("Events", "A4") != nil)
        #expect(try book.cell("Events", "A5") == nil)
        #expect(try book.cell("Events (3)", "A2") != nil)
        #expect(try book.cell("Events (3)", "A3") == nil)
        #expect(book.sheetXML("Summary").contains("The events fill 3 sheets"))
    }

    @Test func maxEventRowsCapsTheDetailAndSaysSo() throws {
        let (_, book) = try report(maxRows: 2)
        #expect(try book.cell("Events", "A3") != nil)
        #expect(try book.cell("Events", "A4") == nil)
        #expect(book.sheetXML("Summary").contains("Only the newest 2 of 7 events are listed (--max-event-rows)."))
    }

    @Test func findingsSheetComesSecondColouredBySeverityOrSaysThereAreNone() throws {
        let (_, none) = try report()
        #expect(try none.cell("Findings", "A1")?.value == "No findings this month: none of the 0 rules matched.")
        var views = FindingRule(id: "views", kind: .any, severity: .low, match: [.init(keys: ["page.viewed"])], titles: ["en": "Pages viewed"])
        views.incidentMinutes = 31 * 24 * 60
        views.explanations = ["en": String(repeating: "A page was viewed by a person of the workspace. ", count: 4)]
        let (_, book) = try report(rules: FindingRules(rules: [views]))
        // One finding per person: Ben's four views, Anna's one.
        #expect(try book.cell("Findings", "A1")?.value == "Findings: 2 (0 high, 0 medium, 2 low, 0 info)")
        #expect(try book.row("Findings", 3, count: 3) == ["Severity", "Finding", "Events"])
        #expect(try book.row("Findings", 4, count: 4) == ["Low", "Pages viewed", "4", "ben@x.de"])
        #expect(try book.row("Findings", 5, count: 4) == ["Low", "Pages viewed", "1", "anna@x.de"])
        #expect(try book.cell("Findings", "G3")?.value == "About")
        #expect(try book.cell("Findings", "G4")?.value == "ben@x.de")
        // Wrapped rows get a height from their longest text, so nothing runs over the rows below.
        let findingsXML = book.sheetXML("Findings")
        let row4 = try #require(findingsXML.range(of: #"<row r="4"[^>]*>"#, options: .regularExpression).map { String(findingsXML[$0]) })
        #expect(row4.contains(#"customHeight="1""#))
        let height = try #require(row4.range(of: #"ht="[0-9.]+""#, options: .regularExpression).map { Double(row4[$0].dropFirst(4).dropLast())! })
        #expect(height == 45)
        #expect(XLSXSheet.wrappedHeight([("short", 20)]) == 15)
        // 270 letters in lines of 11 (10 units of 1.2, less one): 25 lines, the last one short.
        #expect(XLSXSheet.wrappedHeight([(String(repeating: "x", count: 270), 10)]) == 15 * 25)
        // Wrapped at spaces: a word that does not fit moves to the next line.
        #expect(XLSXSheet.wrappedLines("aaaa bbbb cc", 9) == 2)
        #expect(XLSXSheet.wrappedLines("aaaa bbbb", 9) == 1)
        #expect(XLSXSheet.wrappedLines("", 9) == 1)
        #expect(XLSXSheet.wrappedLines("abcdefghijklmnopqrst uv", 9) == 3)
        #expect(XLSXSheet.wrappedHeight([(String(repeating: "word ", count: 2000), 10)]) == 409)
        #expect(try book.row("Rules", 1, count: 7) == ["Rule", "Finding", "Severity", "Events considered", "Findings", "Suppressed", "Status"])
        #expect(try book.row("Rules", 2, count: 7) == ["views", "Pages viewed", "Low", "5", "2", "0", "findings"])
        // Low findings are filled yellow.
        #expect(book.parts["xl/styles.xml"]!.contains("FFFFF2CC"))
    }

    @Test func theSameInputGivesTheSameBytes() throws {
        let (a, _) = try report()
        let (b, _) = try report()
        #expect(FileManager.default.contents(atPath: a.written[0]) == FileManager.default.contents(atPath: b.written[0]))
    }

    @Test func pagesSheetListsEveryPageMostExposedFirst() throws {
        let (_, book) = try report()
        #expect(try book.cell("Pages", "A2")?.value == "=HYPERLINK(\"http://evil.example\",\"x\")")
        #expect(try book.cell("Pages", "J2")?.value == "Shared to web")
        // Then by events: Budget has three.
        #expect(try book.cell("Pages", "A3")?.value == "Budget")
        #expect(try book.cell("Pages", "C3")?.value == "3")
        #expect(try book.cell("Pages", "D3")?.value == "3")
    }

    @Test func previousMonthInTheInputGivesAComparison() throws {
        let (_, book) = try report()
        let xml = book.sheetXML("Summary")
        #expect(xml.contains(">Previous month<"))
        #expect(xml.contains(">Change<"))
    }

    @Test func convertWritesAWorkbookWithTheOriginalColumns() throws {
        let input = TestSupport.file("export.csv", Self.csv)
        let output = TestSupport.temporaryDirectory().appendingPathComponent("events.xlsx").path
        let l = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.berlin)
        let count = try ConvertJob(options: .init(inputs: [input], output: output), localizer: l, diagnostics: DiagnosticsEngine()).run()
        #expect(count == 8)
        let book = try WorkbookReader(path: output)
        #expect(book.sheetNames == ["Übersicht", "Ereignisse", "Nicht zugeordnete Ereignistypen"])
        #expect(try book.cell("Ereignisse", "V1")?.value == "Ticket")
        #expect(try book.cell("Übersicht", "A1")?.value == "Notion-Audit-Ereignisse")
        #expect(!book.hasFormulas)
    }
}
