import Foundation
import Testing

@testable import AuditReportCore

/// Inputs already newest first are handed on as they are read (`EventPipeline.Options.streams`);
/// the run must give exactly what sorting them first gives.
@Suite struct StreamedRunTests {
    /// `count` rows newest first from 2026-10-31 on, a few seconds apart with ties, every 97th
    /// pair swapped (a little out of place), a warning row every 1,000, and a column of its own.
    /// `late` puts, at that row, an event newer than all the rest.
    static func newestFirst(_ name: String, count: Int, person: String = "p", late: Int? = nil) -> String {
        var rows: [String] = []
        for i in 0..<count {
            let t = TestSupport.ts("2026-10-31T23:59:59Z").milliseconds / 1000 - Int64(i / 3) * 7
            let time = i == late ? "2026-11-01T00:00:00Z" : Self.iso(t)
            rows.append("\(time),page.viewed,\(person)\(i % 11)@x.de,page-\(i % 13),team-\(i % 5)")
            if i % 1000 == 500 { rows.append("not a time,page.viewed,\(person)@x.de,page-1,team-1") }
        }
        for i in stride(from: 50, to: rows.count - 1, by: 97) { rows.swapAt(i, i + 1) }
        return TestSupport.file(name, (["Date,Event,Email,Page ID,Squad"] + rows).joined(separator: "\n") + "\n")
    }

    static func iso(_ seconds: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// What a run handed on and reported, in a form to compare.
    struct Outcome: Equatable {
        var events: [String]
        var diagnostics: [String]
        var inputs: [EventPipeline.InputSummary]
        var extraColumns: [String]
        var emitted: Int
    }

    static func run(_ paths: [String], streams: Bool) throws -> (Outcome, streamed: Bool) {
        let diagnostics = DiagnosticsEngine(limitPerMessage: 3)
        var options = EventPipeline.Options(inputs: paths)
        options.streams = streams
        let pipeline = EventPipeline(store: TestSupport.store, options: options, diagnostics: diagnostics)
        try pipeline.read()
        let streamed = pipeline.isStreamed
        var events: [String] = []
        try pipeline.emit { e in
            events.append("\(e.timestamp.milliseconds) \(e.source.input):\(e.source.line) \(e.key) \(e.actor.email) \(e.extras.map { "\($0.name)=\($0.value)" })")
        }
        let outcome = Outcome(
            events: events, diagnostics: diagnostics.diagnostics.map(\.description), inputs: pipeline.inputs,
            extraColumns: pipeline.extraColumns, emitted: pipeline.emitted)
        return (outcome, streamed)
    }

    @Test func newestFirstInputsAreStreamedAndGiveWhatSortingGives() throws {
        // Two inputs past the look-ahead, over the same seconds (ties across inputs), with
        // duplicates between them (the same person, page and second).
        let paths = [Self.newestFirst("a.csv", count: 6000), Self.newestFirst("b.csv", count: 5000)]
        let (streamed, wasStreamed) = try Self.run(paths, streams: true)
        let (sorted, wasSorted) = try Self.run(paths, streams: false)
        #expect(wasStreamed)
        #expect(!wasSorted)
        #expect(streamed == sorted)
        #expect(streamed.inputs.allSatisfy { $0.reconciles })
        #expect(streamed.extraColumns == ["Squad"])
        #expect(streamed.diagnostics.count == 6)
        #expect(streamed.inputs.map(\.duplicatesDropped).reduce(0, +) > 0)
    }

    @Test func anInputOldestFirstIsSorted() throws {
        let rows = (0..<5000).map { "\(Self.iso(1_790_000_000 + Int64($0))),page.viewed,p@x.de,page-1" }
        let path = TestSupport.file("old.csv", (["Date,Event,Email,Page ID"] + rows).joined(separator: "\n"))
        let (outcome, streamed) = try Self.run([path], streams: true)
        #expect(!streamed)
        #expect(outcome.events.count == 5000)
        #expect(outcome.events.first!.hasPrefix("\((1_790_000_000 + 4999) * 1000) "))
    }

    @Test func aSmallInputInAnyOrderFitsTheWindow() throws {
        let rows = (0..<300).map { "\(Self.iso(1_790_000_000 + Int64(($0 * 37) % 300))),page.viewed,p@x.de,page-1" }
        let path = TestSupport.file("small.csv", (["Date,Event,Email,Page ID"] + rows).joined(separator: "\n"))
        let (streamed, was) = try Self.run([path], streams: true)
        #expect(was)
        let sorted = try Self.run([path], streams: false)
        #expect(streamed == sorted.0)
    }

    @Test func anEventFarOutOfPlaceStopsTheStreamedRun() throws {
        let path = Self.newestFirst("late.csv", count: 6000, late: 5500)
        var options = EventPipeline.Options(inputs: [path])
        options.streams = true
        let diagnostics = DiagnosticsEngine()
        let pipeline = EventPipeline(store: TestSupport.store, options: options, diagnostics: diagnostics)
        try pipeline.read()
        #expect(pipeline.isStreamed)
        var handedOn = 0
        let error = #expect(throws: EventPipeline.NotInOrder.self) { try pipeline.emit { _ in handedOn += 1 } }
        #expect(error?.path == path)
        // Row 5500 is on line 5507: after the header and five warning rows.
        #expect(error?.line == 5507)
        #expect(handedOn > 4000)
        // Nothing the run read is reported: a run made again reports it.
        #expect(diagnostics.diagnostics.isEmpty)
    }

    @Test func convertStartsAgainSortingAndWritesWhatSortingWrites() throws {
        let path = Self.newestFirst("late.csv", count: 6000, late: 5500)
        let directory = TestSupport.temporaryDirectory()
        func convert(streams: Bool, to name: String) throws -> (Data, [Diagnostic]) {
            let output = directory.appendingPathComponent(name).path
            var options = ConvertJob.Options(inputs: [path], output: output)
            options.streams = streams
            let diagnostics = DiagnosticsEngine()
            try ConvertJob(options: options, localizer: try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc), diagnostics: diagnostics).run()
            return (try Data(contentsOf: URL(fileURLWithPath: output)), diagnostics.diagnostics)
        }
        let (again, notes) = try convert(streams: true, to: "again.csv")
        let (sorted, sortedNotes) = try convert(streams: false, to: "sorted.csv")
        #expect(again == sorted)
        // The note first, then the warnings once (not once per attempt).
        #expect(notes.first?.message == "not newest first from here on; read again and sorted")
        #expect(Array(notes.dropFirst()).map(\.description) == sortedNotes.map(\.description))
        #expect(sortedNotes.count == 6)
        // Only the output is left in the folder: the first attempt's file went.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == ["again.csv", "sorted.csv"])
    }

    @Test func aStreamedRunDroppedBeforeEmitStopsItsReaders() throws {
        var options = EventPipeline.Options(inputs: [Self.newestFirst("dropped.csv", count: 20000)])
        options.streams = true
        var pipeline: EventPipeline? = EventPipeline(store: TestSupport.store, options: options, diagnostics: DiagnosticsEngine())
        try pipeline!.read()
        #expect(pipeline!.isStreamed)
        pipeline = nil
    }

    @Test func theWindowPutsNearEventsInOrderAndRefusesFarOnes() {
        func events(_ seconds: [Int64]) -> [AuditEvent] {
            seconds.enumerated().map { i, s in
                var e = AuditEvent(timestamp: Timestamp(milliseconds: s * 1000), key: "page.viewed")
                e.source = SourceLocation(input: 0, line: i + 2)
                return e
            }
        }
        let down = Array((0..<100).reversed()).map(Int64.init)
        #expect(OrderedMerge.passes(events(down), window: 8))
        var near = down
        near.swapAt(10, 17)
        #expect(OrderedMerge.passes(events(near), window: 8))
        var far = down
        far.swapAt(10, 40)
        #expect(!OrderedMerge.passes(events(far), window: 8))
        #expect(!OrderedMerge.passes(events(down.reversed()), window: 8))
        #expect(OrderedMerge.passes(events(down.reversed().prefix(8).map { $0 }), window: 8))
    }
}
