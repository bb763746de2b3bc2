import Foundation
import Testing

@testable import AuditReportCore

/// The zone of an export's zone-less times, worked out from a stream that overlaps it.
@Suite struct CSVZoneInferenceTests {
    func pipeline(_ inputs: [String], forced: TimeZone? = nil, candidates: [TimeZone] = [TestSupport.utc, TestSupport.berlin]) throws -> (EventPipeline, [AuditEvent], DiagnosticsEngine) {
        let diagnostics = DiagnosticsEngine()
        let options = EventPipeline.Options(inputs: inputs, inputTimeZone: forced ?? TestSupport.utc, zoneCandidates: forced == nil ? candidates : nil)
        let pipeline = EventPipeline(store: TestSupport.store, options: options, diagnostics: diagnostics)
        try pipeline.read()
        var events: [AuditEvent] = []
        try pipeline.emit { events.append($0) }
        return (pipeline, events, diagnostics)
    }

    func summary(_ events: [AuditEvent]) -> [String] {
        events.map { "\($0.timestamp.seconds) \($0.key) \($0.actor.identity) \($0.id)" }
    }

    /// October 2026 (clocks go back on the 25th): a German export in Berlin time and the stream.
    @Test func aGermanExportInLocalTimeGivesTheSameEventsAsWithTheZoneGiven() throws {
        let sample = try SampleGenerator(options: .init(year: 2026, month: 10, events: 3000, seed: 7, csvLanguage: "de"), store: TestSupport.store)
            .write(to: TestSupport.temporaryDirectory())
        let (inferred, events, diagnostics) = try pipeline([sample.csvPath, sample.siemPath])
        let (forced, forcedEvents, _) = try pipeline([sample.csvPath, sample.siemPath], forced: TestSupport.berlin)
        let decision = try #require(inferred.csvZone)
        #expect(decision.how == .inferred)
        #expect(decision.zone.identifier == "Europe/Berlin")
        #expect(decision.inputs == [0])
        #expect(decision.candidates.map(\.zone) == ["Europe/Berlin", "UTC"])
        #expect(decision.candidates[0].matches > 1000 && decision.candidates[1].matches == 0)
        #expect(forced.csvZone?.how == .forced)
        #expect(summary(events) == summary(forcedEvents))
        #expect(inferred.inputs.map(\.duplicatesDropped) == forced.inputs.map(\.duplicatesDropped))
        // Every stream event found its export row: nothing of the stream is left unmerged.
        #expect(inferred.inputs[0].duplicatesDropped + inferred.inputs[1].duplicatesDropped >= inferred.inputs[1].read.events - 20)
        #expect(diagnostics.diagnostics.contains { $0.severity == .note && $0.message.hasPrefix("its times name no zone; read as Europe/Berlin, under which ") })
        // Read as UTC instead, hardly anything would merge.
        let (_, wrong, _) = try pipeline([sample.csvPath, sample.siemPath], forced: TestSupport.utc)
        #expect(wrong.count > events.count + 1000)
    }

    /// A large stream is tried from its end first (where it meets the export's newest rows):
    /// the same zone as from reading it whole; a gzip stream is read whole.
    @Test func theStreamsEndDecidesAsTheWholeStreamDoes() throws {
        let sample = try SampleGenerator(options: .init(year: 2026, month: 10, events: 3000, seed: 7, csvLanguage: "de"), store: TestSupport.store)
            .write(to: TestSupport.temporaryDirectory())
        let candidates = [TestSupport.utc, TestSupport.berlin]
        var fromTail = CSVZoneInference(store: TestSupport.store, inputs: [sample.csvPath, sample.siemPath], candidates: candidates)
        let size = Int((try FileManager.default.attributesOfItem(atPath: sample.siemPath)[.size] as? Int64) ?? 0)
        fromTail.tailBytes = size / 4
        // Enough matches within the end alone, as in a large stream.
        fromTail.enoughMatches = 100
        let tail = try #require(CSVZoneInference.tail(of: sample.siemPath, bytes: size / 4))
        #expect(tail.count < size / 4 && tail.first == 0x7B)
        let whole = CSVZoneInference(store: TestSupport.store, inputs: [sample.csvPath, sample.siemPath], candidates: candidates)
        let a = try #require(try fromTail.run()), b = try #require(try whole.run())
        #expect(a.how == .inferred && b.how == .inferred)
        #expect(a.zone.identifier == "Europe/Berlin" && b.zone.identifier == "Europe/Berlin")
        #expect(a.candidates[0].matches == 100 && a.candidates[1].matches == 0)
        // Not for a compressed file, nor a small one.
        let gz = TestSupport.file("s.jsonl.gz", TestSupport.gzip(try String(contentsOfFile: sample.siemPath, encoding: .utf8)))
        #expect(CSVZoneInference.tail(of: gz, bytes: 1024) == nil)
        #expect(CSVZoneInference.tail(of: sample.siemPath, bytes: size) == nil)
    }

    /// An export oldest first whose first rows come before the stream began: the rows sampled
    /// are those within the stream's span, so the zone is still found.
    @Test func exportRowsAreSampledWhereTheStreamIs() throws {
        let sample = try SampleGenerator(options: .init(year: 2026, month: 10, events: 3000, seed: 7, csvLanguage: "de"), store: TestSupport.store)
            .write(to: TestSupport.temporaryDirectory())
        let span = try #require(CSVZoneInference.span(of: sample.siemPath, store: TestSupport.store))
        let csv = try String(contentsOfFile: sample.csvPath, encoding: .utf8)
        // The export is oldest first, its first rows from well before the stream's first day.
        #expect(try #require(csv.range(of: "01.10.2026")).lowerBound < (try #require(csv.range(of: "08.10.2026"))).lowerBound)
        #expect(span.lowerBound > TestSupport.ts("2026-10-05T00:00:00Z").seconds)
        var inference = CSVZoneInference(store: TestSupport.store, inputs: [sample.csvPath, sample.siemPath], candidates: [TestSupport.utc, TestSupport.berlin])
        inference.sampleLimit = 200
        let decision = try #require(try inference.run())
        #expect(decision.how == .inferred)
        #expect(decision.zone.identifier == "Europe/Berlin")
        #expect(decision.compared == 200)
    }

    /// A busy month: fewer rows are sampled than the export has in a day (4M events a month
    /// fill 50,000 rows in 9 hours). The sample must come from where the stream is, not from the
    /// hours before it began, or nothing matches and the zone is only assumed.
    @Test func aSampleSmallerThanADayOfRowsStillMeetsTheStream() throws {
        let sample = try SampleGenerator(options: .init(year: 2026, month: 10, events: 6000, seed: 7, csvLanguage: "de"), store: TestSupport.store)
            .write(to: TestSupport.temporaryDirectory())
        var inference = CSVZoneInference(store: TestSupport.store, inputs: [sample.csvPath, sample.siemPath], candidates: [TestSupport.utc, TestSupport.berlin])
        // About 190 rows a day.
        inference.sampleLimit = 60
        let decision = try #require(try inference.run())
        #expect(decision.how == .inferred)
        #expect(decision.zone.identifier == "Europe/Berlin")
        #expect(decision.candidates.first?.matches ?? 0 > 20)
    }

    @Test func aUTCExportStaysUTC() throws {
        let sample = try SampleGenerator(options: .init(year: 2026, month: 3, events: 800, seed: 3, csvLanguage: "en"), store: TestSupport.store)
            .write(to: TestSupport.temporaryDirectory())
        let (p, _, _) = try pipeline([sample.csvPath, sample.siemPath])
        #expect(p.csvZone?.how == .inferred)
        #expect(p.csvZone.map { ZoneResolver.name($0.zone) } == "UTC")
    }

    @Test func withoutAStreamTheZoneIsStatedAsAssumed() throws {
        let csv = TestSupport.file("e.csv", "Date,Email,Event\n2026-10-05 08:00:00,a@x.de,Login\n")
        let (p, events, diagnostics) = try pipeline([csv])
        #expect(p.csvZone?.how == .assumed)
        #expect(p.csvZone.map { ZoneResolver.name($0.zone) } == "UTC")
        #expect(events.map(\.timestamp) == [TestSupport.ts("2026-10-05T08:00:00Z")])
        #expect(diagnostics.diagnostics.map(\.message) == ["its times name no zone and no stream input overlaps them; read as UTC (assumed); --input-time-zone sets the zone"])
        // Times that name their zone need no decision.
        let (q, _, _) = try pipeline([TestSupport.file("z.csv", "Date,Email,Event\n2026-10-05T08:00:00Z,a@x.de,Login\n")])
        #expect(q.csvZone == nil)
    }

    /// 02:30 on 25 October 2026 happens twice in Berlin: 00:30 and 01:30 UTC.
    @Test(arguments: [("2026-10-25T01:30:00Z", "2026-10-25T01:30:00Z"), ("2026-10-25T00:30:00Z", "2026-10-25T00:30:00Z"), (nil, "2026-10-25T00:30:00Z")] as [(String?, String)])
    func aTimeInTheRepeatedHourTakesTheInstantTheStreamHas(_ streamTime: String?, _ expected: String) throws {
        let csv = TestSupport.file("e.csv", "Date,Email,Event\n2026-10-25 02:30:00,a@x.de,Login\n")
        var inputs = [csv]
        if let streamTime {
            inputs.append(TestSupport.file("s.jsonl", #"{"id":"s1","timestamp":"\#(streamTime)","type":"user.login","actor":{"person":{"email":"a@x.de"}}}"# + "\n"))
        }
        let (p, events, _) = try pipeline(inputs, forced: TestSupport.berlin)
        #expect(events.map(\.timestamp) == [TestSupport.ts(expected)])
        #expect(events.map(\.ambiguity) == [.none])
        #expect(p.inputs[0].read.events == 1)
        #expect(p.inputs.allSatisfy { $0.reconciles })
        #expect(p.duplicatesDropped == (streamTime == nil ? 0 : 1))
    }
}

/// Which end of a large stream the zone inference reads first.
@Suite struct StreamTailChoiceTests {
    let day: Int64 = 86_400
    /// A stream of October's last 24 days, 400 MB, read 32 MB from its end.
    var span: ClosedRange<Int64> { (8 * day)...(32 * day) }

    @Test func aSampleFromTheStreamsStartSkipsTheTail() {
        // An export oldest first: its rows sampled just after the stream began.
        #expect(!CSVZoneInference.sampleReachesTail(sampled: (8 * day + 14 * 3600)...(10 * day), span: span, size: 400 << 20, tailBytes: 32 << 20))
    }

    @Test func aSampleOfTheNewestRowsReadsTheTail() {
        // An export newest first, as Notion's: its newest rows are the stream's last days.
        #expect(CSVZoneInference.sampleReachesTail(sampled: (31 * day)...(32 * day), span: span, size: 400 << 20, tailBytes: 32 << 20))
        // The tail holds about the last 1.9 days (from day 30.08): a sample ending 8 hours
        // before that may still meet it under another zone; one ending 20 hours before may not.
        #expect(CSVZoneInference.sampleReachesTail(sampled: (28 * day)...(30 * day - 6 * 3600), span: span, size: 400 << 20, tailBytes: 32 << 20))
        #expect(!CSVZoneInference.sampleReachesTail(sampled: (28 * day)...(30 * day - 18 * 3600), span: span, size: 400 << 20, tailBytes: 32 << 20))
    }

    @Test func whatIsNotKnownReadsTheTailAsBefore() {
        #expect(CSVZoneInference.sampleReachesTail(sampled: nil, span: span, size: 400 << 20, tailBytes: 32 << 20))
        #expect(CSVZoneInference.sampleReachesTail(sampled: 0...day, span: nil, size: 400 << 20, tailBytes: 32 << 20))
        #expect(CSVZoneInference.sampleReachesTail(sampled: 0...day, span: span, size: nil, tailBytes: 32 << 20))
    }
}
