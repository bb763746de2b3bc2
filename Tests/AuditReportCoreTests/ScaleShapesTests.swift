import Foundation
import Testing

@testable import AuditReportCore

#if canImport(Glibc)
    import Glibc
#endif

/// Input shapes that once took time growing faster than the input (or memory growing with the
/// number of problems), run through the real program. The bounds are generous ceilings against
/// a return of quadratic work (which took from 18 s to minutes on these shapes), not speed
/// targets: those live in `make bench`.
@Suite(.serialized) struct ScaleShapesTests {
    let cli = CommandLineTests()

    /// Runs `report --dry-run` on the files; returns the run, its seconds and the peak memory
    /// (MB) of the largest child so far.
    func dryRun(_ inputs: [String], _ extra: [String] = []) throws -> (CommandLineTests.Run, Double, Int) {
        let start = Date()
        let r = try cli.run(["report"] + inputs + ["--month", "2026-10", "--dry-run"] + extra)
        let seconds = Date().timeIntervalSince(start)
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return (r, seconds, Int(usage.ru_maxrss) / 1024)
    }

    func write(_ name: String, _ body: (inout String) -> Void) -> String {
        var text = ""
        body(&text)
        return TestSupport.file(name, text)
    }

    @Test func manyLoginsOfOnePersonFromDistinctPlaces() throws {
        let path = write("logins.csv") { t in
            t += "Date,Email,Event,City,Country\n"
            for i in 0..<4000 { t += "2026-10-\(String(format: "%02d", 28 - i / 200)) \(String(format: "%02d", 23 - (i / 10) % 20)):\(String(format: "%02d", i % 60)):00,a@x.de,Login,City \(i),Germany\n" }
        }
        let (r, seconds, memory) = try dryRun([path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(seconds < 30, "took \(seconds) s")
        #expect(memory < 1_000, "peak \(memory) MB")
    }

    @Test func aBurstOfExportsInOneHour() throws {
        let path = write("exports.csv") { t in
            t += "Date,Email,Event,Page\n"
            for i in 0..<20_000 { t += "2026-10-05T10:\(String(format: "%02d", 59 - i / 340)):\(String(format: "%02d", 59 - (i / 6) % 60)).\(String(format: "%03d", i % 1000))Z,a@x.de,Page exported,P\(i)\n" }
        }
        let (r, seconds, _) = try dryRun([path])
        #expect(r.status == 0, "\(r.stderr)")
        // One person, one hour: one finding, however many exports.
        #expect(r.stderr.contains(", 1 finding\n"), "\(r.stderr)")
        #expect(seconds < 30, "took \(seconds) s")
    }

    @Test func twoCopiesOfAnEventWithManyDetails() throws {
        var details = ""
        for i in 0..<80_000 { details += "\"d\(i)\":\"v\"," }
        details.removeLast()
        let line = #"{"id":"e1","timestamp":"2026-10-05T10:00:00Z","type":"page.viewed","actor":{"person":{"email":"a@x.de"}},"details":{"# + details + "}}\n"
        let a = TestSupport.file("a.jsonl", line)
        let b = TestSupport.file("b.jsonl", line)
        let (r, seconds, _) = try dryRun([a, b])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("1 event in 2026-10, 1 duplicate dropped"))
        #expect(seconds < 30, "took \(seconds) s")
    }

    @Test func manyUnknownColumns() throws {
        let path = write("wide.csv") { t in
            t += "Date,Email,Event" + (0..<16_381).map { ",C\($0)" }.joined() + "\n"
            let cells = String(repeating: ",x", count: 16_381)
            for i in 0..<100 { t += "2026-10-05T10:00:\(String(format: "%02d", i % 60))Z,a@x.de,Login\(cells)\n" }
        }
        let out = TestSupport.temporaryDirectory().path
        let start = Date()
        let r = try cli.run(["report", path, "--month", "2026-10", "--format", "xlsx,csv", "--output-dir", out])
        let seconds = Date().timeIntervalSince(start)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("the workbook holds the first"))
        #expect(seconds < 60, "took \(seconds) s")
    }

    @Test func identicalEventsWithoutIDsInTwoInputs() throws {
        let rows = String(repeating: "2026-10-05T10:00:00Z,a@x.de,Page viewed,Roadmap\n", count: 80_000)
        let a = TestSupport.file("a.csv", "Date,Email,Event,Page\n" + rows)
        let b = TestSupport.file("b.csv", "Date,Email,Event,Page\n" + rows)
        let (r, seconds, _) = try dryRun([a, b], ["--input-time-zone", "UTC"])
        #expect(r.status == 0, "\(r.stderr)")
        // Each row of one export meets one of the other: 80,000 events, 80,000 duplicates.
        #expect(r.stderr.contains("80000 events in 2026-10, 80000 duplicates dropped"))
        #expect(seconds < 30, "took \(seconds) s")
    }

    @Test func manyDistinctProblemsPrintAFewLinesEach() throws {
        let path = write("bad-times.csv") { t in
            t += "Date,Email,Event\n"
            for i in 0..<100_000 { t += "not a time \(i)x\(i % 7 == 0 ? "y" : "z"),a@x.de,Login\n" }
        }
        let (r, _, memory) = try dryRun([path], ["--allow-empty"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count < 50)
        #expect(memory < 1_000, "peak \(memory) MB")
    }

    @Test func manyUnknownEventTypesAreListedUpToALimit() throws {
        let path = write("types.csv") { t in
            t += "Date,Email,Event\n"
            for i in 0..<30_000 { t += "2026-10-05T10:00:00Z,a@x.de,workspace.made_up_\(i)\n" }
        }
        let out = TestSupport.temporaryDirectory().path
        let r = try cli.run(["report", path, "--month", "2026-10", "--format", "html,csv", "--output-dir", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: "\(out)/audit-report-2026-10-en.html", encoding: .utf8)
        #expect(html.utf8.count < 3_000_000)
        #expect(html.contains("more rows in the workbook"))
    }

    /// Past the limit, further pages and people are counted together: memory stays bounded.
    @Test func pagesAndPeoplePastTheLimitAreCountedTogether() throws {
        var aggregator = ReportAggregator(period: nil, zone: ZoneResolver(timeZone: TestSupport.utc), catalog: TestSupport.store.catalog)
        let extra = 25
        let base = TestSupport.ts("2026-10-31T00:00:00Z").milliseconds
        for i in 0..<(ReportAggregator.maxPages + extra) {
            let e = AuditEvent(
                timestamp: Timestamp(milliseconds: base - Int64(i) * 1000), key: "page.viewed", actor: Actor(email: "p\(i % (ReportAggregator.maxActors + extra))@x.de"),
                target: Target(kind: "page", id: "id-\(i)", name: "Page \(i)"))
            aggregator.add(e)
        }
        let pages = aggregator.pagesByExposure
        #expect(pages.count == ReportAggregator.maxPages + 1)
        #expect(pages.first { $0.key == ReportAggregator.otherKey }?.events == extra)
        #expect(aggregator.actorsByActivity.count == ReportAggregator.maxActors + 1)
        let l = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        let row = ReportTable.pages(ReportFacts(period: nil, aggregate: aggregator, inputs: [], inputNames: [], unmapped: [], reportDate: Timestamp(milliseconds: 0)), l).rows.first { ReportTable.text($0[0], l).hasPrefix("Weitere Seiten") }
        #expect(row != nil)
    }
}

