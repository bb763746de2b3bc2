import Foundation
import Testing

@testable import AuditReportCore

/// The coverage verdict: complete, partial (with what is missing), no data.
@Suite struct CoverageTests {
    let period = try! ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.utc))

    /// A stream with an event every working-day hour from 8 to 18, October 2026, except `skip`.
    func stream(skip: ClosedRange<Int>? = nil, from day: Int = 1, to lastDay: Int = 31) -> String {
        var lines: [String] = []
        var n = 0
        for d in day...lastDay {
            let c = CivilDateTime(year: 2026, month: 10, day: d, hour: 0, minute: 0, second: 0, millisecond: 0)
            guard c.isoWeekday < 6 else { continue }
            for h in 8...18 {
                let hourOfMonth = (d - 1) * 24 + h
                if let skip, skip.contains(hourOfMonth) { continue }
                n += 1
                let t = Timestamp(year: 2026, month: 10, day: d, hour: h, minute: 5)
                lines.append(#"{"id":"e\#(n)","timestamp":"\#(t)","type":"page.viewed","actor":{"person":{"email":"a@x.de"}},"details":{"page_name":"P"}}"#)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func coverage(_ inputs: [String]) throws -> Coverage {
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: inputs, period: period), diagnostics: DiagnosticsEngine())
        try pipeline.read()
        var count = 0
        try pipeline.emit { if period.contains($0.timestamp) { count += 1 } }
        return Coverage(period: period, inputs: pipeline.inputs, eventsInPeriod: count, zone: ZoneResolver(timeZone: TestSupport.utc))
    }

    @Test func aStreamOverTheWholeMonthIsComplete() throws {
        // October 2026 starts on a Thursday and ends on a Saturday: the last working hour is Friday the 30th.
        let c = try coverage([TestSupport.file("s.jsonl", stream())])
        #expect(c.gaps == [])
        #expect(c.missingStart == nil)
        #expect(c.verdict == .complete)
    }

    @Test func aStreamThatFallsSilentWhereItsRhythmExpectsEventsHasAGap() throws {
        // Wednesday 14 October, 9:00 to 13:00 missing.
        let hours = (13 * 24 + 9)...(13 * 24 + 12)
        let c = try coverage([TestSupport.file("s.jsonl", stream(skip: hours))])
        #expect(c.verdict == .partial)
        #expect(c.gaps == [Coverage.Gap(start: TestSupport.ts("2026-10-14T09:00:00Z"), end: TestSupport.ts("2026-10-14T13:00:00Z"))])
        // An export that spans the gap fills it.
        let export = TestSupport.file("e.csv", "Date,Email,Event\n2026-10-30T12:00:00Z,b@x.de,Login\n2026-10-01T08:00:00Z,b@x.de,Login\n")
        let filled = try coverage([TestSupport.file("s.jsonl", stream(skip: hours)), export])
        #expect(filled.gaps == [])
        #expect(filled.verdict == .complete)
    }

    @Test func aStreamThatStartsLateLeavesTheBeginningMissing() throws {
        let c = try coverage([TestSupport.file("s.jsonl", stream(from: 8))])
        #expect(c.verdict == .partial)
        #expect(c.missingStart == Coverage.Gap(start: period.start, end: TestSupport.ts("2026-10-08T08:05:00Z")))
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        var facts = ReportFacts(period: period, aggregate: ReportAggregator(period: period, zone: ZoneResolver(timeZone: TestSupport.utc), catalog: TestSupport.store.catalog), inputs: [], inputNames: ["s.jsonl"], unmapped: [], reportDate: period.end)
        facts.coverage = c
        #expect(facts.coverageMissing(l) == ["No input has events from the start of the period until 2026-10-08 08:05:00."])
        #expect(facts.coverageNotes(l) == ["Organization events exist only in the CSV export of the audit log; the stream does not carry them."])
    }

    @Test func aMonthWithoutEventsWritesNothingUnlessAllowed() throws {
        let csv = TestSupport.file("e.csv", "Date,Email,Event\n2026-09-15T10:00:00Z,a@x.de,Login\n")
        let out = TestSupport.temporaryDirectory().appendingPathComponent("out")
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        var options = ReportJob.Options(inputs: [csv], period: period, outputDirectory: out, formats: [.csv])
        #expect(throws: RunError.noEvents("no events in 2026-10 (UTC); the inputs' events: 2026-09-15 10:00:00 – 2026-09-15 10:00:00. Nothing was written; --allow-empty writes a report that says so")) {
            try ReportJob(options: options, localizer: l, diagnostics: DiagnosticsEngine()).run()
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        options.allowEmpty = true
        let result = try ReportJob(options: options, localizer: l, diagnostics: DiagnosticsEngine()).run()
        #expect(result.facts.coverage?.verdict == .noData)
        let summary = try String(contentsOfFile: try #require(result.written.first { $0.hasSuffix("-summary.csv") }), encoding: .utf8)
        #expect(summary.contains("No data: no event in the period. The inputs' events: 2026-09-15 10:00:00"))
    }

    @Test func aPartialPeriodIsAWarningAndUnderStrictAnError() throws {
        let csv = TestSupport.file("e.csv", "Date,Email,Event\n2026-10-15T10:00:00Z,a@x.de,Login\n")
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        var options = ReportJob.Options(inputs: [csv], period: period, outputDirectory: TestSupport.temporaryDirectory(), formats: [.csv])
        let diagnostics = DiagnosticsEngine()
        _ = try ReportJob(options: options, localizer: l, diagnostics: diagnostics).run()
        #expect(diagnostics.diagnostics.contains { $0.message.hasPrefix("the inputs do not cover all of 2026-10: No input has events from the start of the period until 2026-10-15 10:00:00.") })
        #expect(throws: StrictModeError.self) { try ReportJob(options: options, localizer: l, diagnostics: DiagnosticsEngine(strict: true)).run() }
        options.allowPartial = true
        let quiet = DiagnosticsEngine(strict: true)
        _ = try ReportJob(options: options, localizer: l, diagnostics: quiet).run()
    }
}
