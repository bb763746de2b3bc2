import Foundation
import Testing

@testable import AuditReportCore

/// The whole report of a small fixture month, in both languages, against golden files.
@Suite struct ReportGoldenTests {
    static let fixture = TestSupport.fixtures.appendingPathComponent("month")

    func run(_ language: String, zone: TimeZone) throws -> URL {
        let out = TestSupport.temporaryDirectory()
        let l = try Localizer(store: TestSupport.store, language: language, timeZone: zone)
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: zone))
        let job = ReportJob(
            options: .init(
                inputs: [Self.fixture.appendingPathComponent("export.csv").path, Self.fixture.appendingPathComponent("stream.jsonl").path],
                period: period, outputDirectory: out, formats: [.html, .csv, .json], templatesDirectory: TestSupport.repositoryRoot.appendingPathComponent("Templates"),
                rules: FindingsTests.rules),
            localizer: l, diagnostics: DiagnosticsEngine())
        _ = try job.run()
        return out
    }

    @Test(arguments: [("en", "UTC"), ("de", "Europe/Berlin")])
    func reportFilesMatchTheirGoldenFiles(_ language: String, _ zone: String) throws {
        let out = try run(language, zone: TimeZone(identifier: zone)!)
        for part in ["", "-events", "-findings", "-pages", "-actors", "-summary", "-report"] {
            let ext = part.isEmpty ? "html" : part == "-report" ? "json" : "csv"
            let text = try String(contentsOf: out.appendingPathComponent("audit-report-2026-10-\(language)\(part).\(ext)"), encoding: .utf8)
            Golden.check(text, "report-\(language)\(part).\(ext)")
        }
    }

    @Test func htmlIsSelfContainedAndEscapesEveryInputValue() throws {
        let out = try run("en", zone: TestSupport.utc)
        let html = try String(contentsOf: out.appendingPathComponent("audit-report-2026-10-en.html"), encoding: .utf8)
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;Notes"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import") && !html.contains("url("))
        #expect(html.contains("<html lang=\"en\">"))
        let de = try String(contentsOf: try run("de", zone: TestSupport.berlin).appendingPathComponent("audit-report-2026-10-de.html"), encoding: .utf8)
        #expect(de.contains("<html lang=\"de\">"))
    }
}
