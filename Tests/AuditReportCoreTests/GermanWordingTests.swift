import Foundation
import Testing

@testable import AuditReportCore

/// A German report has no English words of the tool's own left in it, and no "1" with a plural.
@Suite struct GermanWordingTests {
    /// Words of the English interface that must not appear in a German report (matched as whole
    /// words; the inputs' own texts in the fixture hold none of them).
    static let english = [
        "Events", "Event", "Findings", "Finding", "Severity", "Summary", "Page viewed", "Pages", "People", "Open", "In Progress", "Completed",
        "Urgent", "High", "Medium", "Low", "json-lines", "notion", "Workspace owner", "Membership admin", "not stated", "suppressed",
        "approved by", "Login from", "Rules", "Value", "Count", "Tickets read", "state unknown", "Place", "Affected", "Actor",
        "entity.object", "person", "Previous permission", "New permission",
    ]

    /// Every number 1 followed by a plural noun of the report's vocabulary.
    static let plurals = try! NSRegularExpression(pattern: #"(?<![0-9.,])1 (Ereignisse|Befunde|Warnungen|Eingaben|Seiten|Personen|Regeln|Duplikate|Tage|Stunden)\b"#)

    /// Every word the reports build from a value (an input's kind and shape, Opal's values)
    /// has its string in both languages.
    @Test func everyKindOfInputHasItsName() throws {
        for language in ["en", "de"] {
            let l = try Localizer(store: TestSupport.store, language: language, timeZone: TestSupport.utc)
            for kind in ReadSummary.Kind.allCases {
                #expect(l.string("kind.\(kind.rawValue)") != "kind.\(kind.rawValue)", "\(language): kind.\(kind.rawValue)")
            }
            for shape in ["collect-store", "datadog", "json-array", "json-lines", "notion", "panther", "splunk", "sumo-logic"] {
                #expect(l.valueLabel("shape", shape) != shape, "\(language): shape.\(shape)")
            }
        }
    }

    @Test func theGermanReportIsGerman() throws {
        let out = TestSupport.temporaryDirectory()
        let l = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.berlin)
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.berlin))
        let fixture = ReportGoldenTests.fixture
        let tickets = TestSupport.file("opal.csv", TicketTests.export)
        let job = ReportJob(
            options: .init(
                inputs: [fixture.appendingPathComponent("export.csv").path, fixture.appendingPathComponent("stream.jsonl").path, tickets],
                period: period, outputDirectory: out, formats: [.html, .csv], templatesDirectory: TestSupport.repositoryRoot.appendingPathComponent("Templates"),
                rules: FindingsTests.rules),
            localizer: l, diagnostics: DiagnosticsEngine())
        _ = try job.run()
        var texts: [(String, String)] = []
        let html = try String(contentsOf: out.appendingPathComponent("audit-report-2026-10-de.html"), encoding: .utf8)
        // The visible text: no style sheet, no tags, no attribute values.
        let body = html.components(separatedBy: "</style>").last!.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        texts.append(("html", body.replacingOccurrences(of: "&#39;", with: "'")))
        for part in ["findings", "rules", "pages", "actors", "summary", "events"] {
            var text = try String(contentsOf: out.appendingPathComponent("audit-report-2026-10-de-\(part).csv"), encoding: .utf8)
            // The run's warnings are quoted as the program printed them, in English (the summary says so).
            text = text.split(separator: "\r\n").filter { !$0.hasPrefix("Warnungen und Hinweise des Laufs") }.joined(separator: "\n")
            texts.append((part, text))
        }
        for (name, text) in texts {
            for word in Self.english {
                let pattern = "(?<![A-Za-z-])" + NSRegularExpression.escapedPattern(for: word) + "(?![A-Za-z])"
                #expect(text.range(of: pattern, options: .regularExpression) == nil, "\(name) holds '\(word)'")
            }
            let range = NSRange(text.startIndex..., in: text)
            let found = Self.plurals.matches(in: text, range: range).map { String(text[Range($0.range, in: text)!]) }
            #expect(found.isEmpty, "\(name): \(found)")
        }
    }
}
