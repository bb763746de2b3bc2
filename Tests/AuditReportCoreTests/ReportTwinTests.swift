import Foundation
import Testing

@testable import AuditReportCore

/// The machine-readable twin, the comparison with the month before, and reproducible files.
@Suite struct ReportTwinTests {
    func run(_ inputs: [String], month: String, out: URL, formats: [ReportJob.Format] = ReportJob.Format.allCases, review: Review? = nil, previous: URL? = nil) throws -> ReportJob.Result {
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let period = try ReportPeriod(parsing: month, zone: ZoneResolver(timeZone: TestSupport.utc))
        var options = ReportJob.Options(
            inputs: inputs, period: period, outputDirectory: out, formats: formats, templatesDirectory: TestSupport.repositoryRoot.appendingPathComponent("Templates"),
            rules: FindingsTests.rules)
        options.review = review
        options.previousTwin = previous
        options.allowPartial = true
        return try ReportJob(options: options, localizer: l, diagnostics: DiagnosticsEngine()).run()
    }

    /// Runs the repository's schema validator (Python's jsonschema, which `make test` installs).
    func validate(_ files: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestSupport.repositoryRoot.appendingPathComponent("scripts/validate-json.py").path, TestSupport.repositoryRoot.appendingPathComponent("Templates/report.schema.json").path] + files
        let err = Pipe()
        process.standardError = err
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    static let examples = TestSupport.repositoryRoot.appendingPathComponent("Examples")

    @Test func theTwinFollowsItsSchema() throws {
        let out = TestSupport.temporaryDirectory()
        let inputs = ["sample-2026-10.csv", "sample-2026-10-siem.jsonl", "opal-tickets-2026-10.csv"].map { Self.examples.appendingPathComponent($0).path }
        let result = try run(inputs, month: "2026-10", out: out, formats: [.json], review: Review(reviewer: "Eva Muster <eva@example.com>", cadence: .weekly))
        let twin = try #require(result.written.first { $0.hasSuffix("-report.json") })
        let (status, errors) = try validate([twin, TestSupport.golden.appendingPathComponent("report-en-report.json").path])
        #expect(status == 0, "\(errors)")
        // A broken twin is caught: the validator is no formality.
        var text = try String(contentsOfFile: twin, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"verdict\": \"complete\"", with: "\"verdict\": \"mostly\"")
        let broken = TestSupport.file("broken.json", text)
        #expect(try validate([broken]).0 == 1)
        let value = try JSONParser.parse(try String(contentsOfFile: twin, encoding: .utf8), path: twin, line: 1)
        #expect(value["coverage"]?["complete"] == .bool(true))
        #expect(value["review"]?["next_review_due"] == .string("2026-11-08T00:00:00.000Z"))
        #expect(value["access_requests"]?["total"]?.scalarText != nil)
    }

    /// September has an export burst by a@x.de and an audit-log export; October repeats the burst
    /// (persisting) and adds a workspace export (new); the audit-log export did not recur (resolved).
    @Test func findingsAreNewPersistingOrResolvedAgainstTheMonthBefore() throws {
        func burst(_ day: String) -> String {
            (0..<10).map { "2026-\(day)T10:\(String(format: "%02d", $0 * 5)):00Z,a@x.de,Page exported,P\($0)\n" }.joined()
        }
        let september = TestSupport.file("sep.csv", "Date,Email,Event,Page\n" + burst("09-10") + "2026-09-12T09:00:00Z,o@x.de,workspace.audit_log_exported,\n")
        let october = TestSupport.file("oct.csv", "Date,Email,Event,Page\n" + burst("10-10") + "2026-10-20T09:00:00Z,o@x.de,Workspace content exported,\n")
        let out = TestSupport.temporaryDirectory()
        _ = try run([september], month: "2026-09", out: out, formats: [.json])
        let result = try run([october], month: "2026-10", out: out, formats: [.json, .html, .csv, .xlsx])
        let comparison = try #require(result.facts.comparison)
        #expect(comparison.month == "2026-09")
        let changes = Dictionary(uniqueKeysWithValues: (result.facts.findings ?? []).map { ($0.ruleID, comparison.change(of: $0)) })
        #expect(changes["mass_page_export"] == .persisting)
        #expect(changes["workspace_exported"] == .new)
        #expect(comparison.resolved(given: result.facts.findings ?? []).map(\.rule) == ["audit_log_exported"])
        let twin = try JSONParser.parse(try String(contentsOfFile: out.appendingPathComponent("audit-report-2026-10-en-report.json").path, encoding: .utf8), path: "", line: 1)
        if case .array(let resolved)? = twin["resolved_findings"] { #expect(resolved.count == 1) } else { Issue.record("no resolved findings") }
        let html = try String(contentsOfFile: out.appendingPathComponent("audit-report-2026-10-en.html").path, encoding: .utf8)
        #expect(html.contains("change-new") && html.contains("change-persisting"))
        #expect(html.contains("Findings of September 2026 that did not recur"))
        #expect(html.contains("since September 2026"))
        // The trend lists both months.
        #expect(html.contains("Trend of the last months"))
    }

    /// A month with more findings than the HTML shows: the HTML lists the most severe 500 and
    /// says where the rest are; the twin, written finding by finding, holds all of them and is the
    /// same text as the document made whole.
    @Test func manyFindingsAreAllInTheTwinAndTheMostSevereInTheHTML() throws {
        let total = HTMLReportRenderer.findingLimit + 120
        // One workspace export (high) per person, and one audit-log export (medium) last.
        let rows = (0..<total - 1).map { i in
            "2026-10-\(String(format: "%02d", 1 + i % 28))T\(String(format: "%02d", i % 24)):00:00Z,p\(i)@x.de,Workspace content exported,\n"
        }.joined() + "2026-10-30T09:00:00Z,o@x.de,workspace.audit_log_exported,\n"
        let input = TestSupport.file("many.csv", "Date,Email,Event,Page\n" + rows)
        let out = TestSupport.temporaryDirectory()
        let result = try run([input], month: "2026-10", out: out, formats: [.json, .html])
        let findings = try #require(result.facts.findings)
        #expect(findings.count == total)
        let html = try String(contentsOfFile: out.appendingPathComponent("audit-report-2026-10-en.html").path, encoding: .utf8)
        #expect(html.components(separatedBy: "<article class=\"finding").count - 1 == HTMLReportRenderer.findingLimit)
        #expect(html.contains("The list shows the 500 most severe of 620 findings; the workbook, the CSV set and the JSON twin list all of them."))
        #expect(html.contains("id=\"finding-500\"") && !html.contains("id=\"finding-501\""))
        // The summary still counts every finding, the medium one after the 619 high ones too.
        #expect(html.contains("Findings: 620 (619 high, 1 medium, 0 low, 0 info)"))
        let text = try String(contentsOfFile: out.appendingPathComponent("audit-report-2026-10-en-report.json").path, encoding: .utf8)
        #expect(text.utf8.count > 4 * JSONPrettyStream.pieceBytes)
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        #expect(text == ReportJSON.document(result.facts, l, zone: ZoneResolver(timeZone: TestSupport.utc)).prettyText)
        let twin = try JSONParser.parse(text, path: "", line: 1)
        if case .array(let listed)? = twin["findings"] { #expect(listed.count == total) } else { Issue.record("no findings in the twin") }
    }

    /// The streamed writer gives what the whole value gives, for empty and one-item arrays too.
    @Test func theStreamedTwinIsTheWholeDocumentsText() throws {
        let item: (Int) -> JSONValue = { .obj(["n": .int($0), "list": .strings(["a", "b"]), "empty": .array([])]) }
        for count in [0, 1, 3] {
            let members: [JSONPrettyStream.Member] = [.value("a", .int(1)), .objects("items", count: count, item: item), .value("z", .strings([]))]
            var streamed = ""
            JSONPrettyStream.write(members) { streamed += $0 }
            #expect(streamed == JSONPrettyStream.value(members).prettyText)
        }
        var empty = ""
        JSONPrettyStream.write([]) { empty += $0 }
        #expect(empty == JSONValue.object(JSONObject([])).prettyText)
    }

    /// The month before's twin is read as a stream: the same comparison as from the whole tree,
    /// past the 32 MiB that whole-file reading allowed (a busy month's twin is tens of MB), with
    /// the last of a repeated key, and a clear message for what is no twin.
    @Test func theTwinOfTheMonthBeforeIsReadAsAStream() throws {
        let golden = TestSupport.golden.appendingPathComponent("report-en-report.json")
        let text = try String(contentsOf: golden, encoding: .utf8)
        let whole = try JSONParser.parse(text, path: "", line: 1)
        guard case .array(let listed)? = whole["findings"], case .object(let figures)? = whole["key_figures"] else {
            Issue.record("the golden twin has no findings or key figures")
            return
        }
        let read = try MonthComparison.load(from: golden)
        #expect(read.month == "2026-10" && read.source == "report-en-report.json")
        #expect(read.findings.count == listed.count && !listed.isEmpty)
        #expect(read.findings.map(\.rule) == listed.map { $0["rule"]?.scalarText ?? "" })
        #expect(read.keyFigures == Dictionary(uniqueKeysWithValues: figures.members.map { ($0.key, Int($0.value.scalarText ?? "") ?? -1) }))
        #expect(read.findingsBySeverity.values.reduce(0, +) == listed.count)
        let body = text.drop { $0 != "{" }.dropFirst()
        // 33 MiB of another member first: read past it, and the findings still all there.
        let padded = TestSupport.file("padded.json", "{\"padding\": \"" + String(repeating: "x", count: 33 << 20) + "\", " + body)
        let big = try MonthComparison.load(from: URL(fileURLWithPath: padded))
        #expect(big.findings == read.findings && big.keyFigures == read.keyFigures)
        // A key given twice: the last wins, as everywhere JSON is read here.
        let twice = TestSupport.file("twice.json", String(text.dropLast(2)) + ",\n  \"findings\": []\n}\n")
        #expect(try MonthComparison.load(from: URL(fileURLWithPath: twice)).findings.isEmpty)
        for (name, content, message) in [
            ("array.json", "[1, 2]", "not a report twin"), ("other.json", "{\"tool\": {\"name\": \"x\"}}", "not a report twin"),
            ("cut.json", String(text.prefix(text.count / 2)), "not valid JSON"), ("trailing.json", text + "x", "not valid JSON"),
        ] {
            #expect {
                try MonthComparison.load(from: URL(fileURLWithPath: TestSupport.file(name, content)))
            } throws: { "\($0)".contains(message) && "\($0)".contains(name) }
        }
    }

    /// Every output of two runs on the same inputs, in two folders, is the same to the byte.
    @Test func theWorkbookIsTheSameWhetherItsCellsCameFromTheCSVSetOrNot() throws {
        // With the CSV set the run makes each event's texts once and the workbook takes them;
        // without it the workbook's thread makes them. The bytes must not tell.
        let inputs = ["sample-2026-10.csv", "sample-2026-10-siem.jsonl"].map { Self.examples.appendingPathComponent($0).path }
        let both = try run(inputs, month: "2026-10", out: TestSupport.temporaryDirectory(), formats: [.xlsx, .csv])
        let alone = try run(inputs, month: "2026-10", out: TestSupport.temporaryDirectory(), formats: [.xlsx])
        let workbook = { (r: ReportJob.Result) in r.written.first { $0.hasSuffix(".xlsx") }! }
        #expect(FileManager.default.contentsEqual(atPath: workbook(both), andPath: workbook(alone)))
    }

    @Test func rerunsGiveByteIdenticalFiles() throws {
        let inputs = ["sample-2026-10.csv", "sample-2026-10-siem.jsonl", "opal-tickets-2026-10.csv"].map { Self.examples.appendingPathComponent($0).path }
        let a = try run(inputs, month: "2026-10", out: TestSupport.temporaryDirectory())
        let b = try run(inputs, month: "2026-10", out: TestSupport.temporaryDirectory())
        #expect(a.written.count == b.written.count)
        for (x, y) in zip(a.written, b.written) {
            #expect(URL(fileURLWithPath: x).lastPathComponent == URL(fileURLWithPath: y).lastPathComponent)
            if x.hasSuffix("-manifest.json") {
                // The manifest differs only in the time it was made, its run id and the outputs' folder.
                func stable(_ path: String) throws -> String {
                    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
                        .filter { !$0.contains("\"generated_at\"") && !$0.contains("\"run_id\"") && !($0.contains("\"path\"") && $0.contains("audit-report-tests-")) }
                        .joined(separator: "\n")
                }
                #expect(try stable(x) == stable(y))
            } else {
                #expect(FileManager.default.contents(atPath: x) == FileManager.default.contents(atPath: y), "\(x)")
            }
        }
    }

    @Test func theManifestRecordsVersionsParametersAndEveryFilesHash() throws {
        let out = TestSupport.temporaryDirectory()
        let inputs = ["sample-2026-10.csv", "sample-2026-10-siem.jsonl"].map { Self.examples.appendingPathComponent($0).path }
        let result = try run(inputs, month: "2026-10", out: out, formats: [.csv, .json])
        let path = try #require(result.written.last)
        #expect(path.hasSuffix("audit-report-2026-10-en-manifest.json"))
        let m = try JSONParser.parse(try String(contentsOfFile: path, encoding: .utf8), path: path, line: 1)
        #expect(m["tool"]?["version"] == .string(BuildInfo.version))
        #expect(m["tool"]?["libxlsxwriter"]?.scalarText?.isEmpty == false && m["tool"]?["zlib"]?.scalarText?.isEmpty == false)
        #expect(m["tool"]?["isal"]?.scalarText == BuildInfo.isalVersion && BuildInfo.isalVersion.split(separator: ".").count == 3)
        #expect(m["parameters"]?["language"] == .string("en"))
        #expect(m["data_as_of"] == .string("2026-11-01T00:00:00.000Z"))
        if case .array(let outputs)? = m["outputs"] {
            #expect(outputs.count == result.written.count - 1)
            for (output, file) in zip(outputs, result.written) {
                #expect(output["sha256"]?.scalarText == (try SHA256.file(file).digest))
            }
        } else {
            Issue.record("no outputs")
        }
        if case .array(let read)? = m["inputs"] {
            #expect(read.map { $0["sha256"]?.scalarText } == (try inputs.map { try SHA256.file($0).digest }))
        }
    }

    @Test func verifyNamesEachFileThatChangedOrIsMissing() throws {
        let out = TestSupport.temporaryDirectory()
        let input = TestSupport.file("e.csv", "Date,Email,Event,Page\n2026-10-01T00:00:00Z,a@x.de,Page viewed,P\n2026-10-30T12:00:00Z,a@x.de,Page viewed,P\n")
        let result = try run([input], month: "2026-10", out: out, formats: [.csv, .json])
        let manifest = URL(fileURLWithPath: try #require(result.written.last))
        #expect(try ManifestVerifier.verify(manifest).allSatisfy { $0.state == .unchanged })
        try "changed".write(toFile: result.written[0], atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: result.written[1])
        try "also changed".write(toFile: input, atomically: false, encoding: .utf8)
        let checks = try ManifestVerifier.verify(manifest)
        #expect(checks.filter(\.fails).map { "\($0.role) \($0.state.rawValue) \(URL(fileURLWithPath: $0.path).lastPathComponent)" } == [
            "output changed audit-report-2026-10-en-events.csv", "output missing audit-report-2026-10-en-findings.csv", "input changed e.csv",
        ])
        // The program says so and exits 1.
        let r = try CommandLineTests().run(["verify", manifest.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("audit-report-2026-10-en-events.csv: error: output changed since the report was made"))
        #expect(r.stderr.contains("e.csv: error: input changed since the report was made"))
    }

    /// The events as JSON lines (plain and gzip): DuckDB reads them with one schema.
    @Test(arguments: ["events.jsonl", "events.jsonl.gz"])
    func convertedJSONLinesAreReadByDuckDB(_ name: String) throws {
        let out = TestSupport.temporaryDirectory().appendingPathComponent(name).path
        let inputs = ["sample-2026-10.csv", "sample-2026-10-siem.jsonl"].map { Self.examples.appendingPathComponent($0).path }
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let written = try ConvertJob(options: .init(inputs: inputs, output: out), localizer: l, diagnostics: DiagnosticsEngine()).run()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import duckdb, sys
            con = duckdb.connect()
            rows = con.execute("select count(*), count(distinct key), min(time) from read_json_auto(?)", [sys.argv[1]]).fetchall()[0]
            exports = con.execute("select count(*) from read_json_auto(?) where key = 'page.exported' and actor.email is not null", [sys.argv[1]]).fetchall()[0][0]
            print(rows[0], rows[1], rows[2].isoformat(), exports)
            """, out]
        let pipe = Pipe()
        process.standardOutput = pipe
        let err = Pipe()
        process.standardError = err
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(errors)")
        let fields = text.split(separator: " ")
        #expect(fields.first.map(String.init) == String(written))
        #expect(fields.count == 4 && Int(fields[3].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 10)
    }
}

