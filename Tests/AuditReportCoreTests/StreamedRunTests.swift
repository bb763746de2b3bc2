import Foundation
import Testing

@testable import AuditReportCore

/// Inputs already newest first are handed on as they are read (`EventPipeline.Options.streams`);
/// the run must give exactly what sorting them first gives.
@Suite struct StreamedRunTests {
    /// `count` rows newest first from 2026-10-31 23:00 back, a few seconds apart with ties,
    /// every 97th pair swapped (a little out of place), a warning row every 1,000, and a column
    /// of its own. `late` puts, at that row, an event newer than all the rest (of the month).
    static func newestFirst(_ name: String, count: Int, person: String = "p", late: Int? = nil) -> String {
        var rows: [String] = []
        for i in 0..<count {
            let t = TestSupport.ts("2026-10-31T23:00:00Z").milliseconds / 1000 - Int64(i / 3) * 7
            let time = i == late ? "2026-10-31T23:30:00Z" : Self.iso(t)
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

    /// The report of an export alone (an admin without a SIEM) streams too: every file it
    /// writes is the one sorting first writes; one out of order late is made again, once.
    @Test(arguments: [nil, 5500])
    func aReportOfANewestFirstExportWritesWhatSortingWrites(_ late: Int?) throws {
        let path = Self.newestFirst("export.csv", count: 6000, late: late)
        func report(streams: Bool) throws -> (files: [String: Data], notes: [String]) {
            let out = TestSupport.temporaryDirectory()
            let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.utc))
            var options = ReportJob.Options(
                inputs: [path], period: period, outputDirectory: out, templatesDirectory: TestSupport.repositoryRoot.appendingPathComponent("Templates"),
                rules: FindingsTests.rules)
            options.streams = streams
            options.manifest = false
            options.allowPartial = true
            let diagnostics = DiagnosticsEngine()
            let result = try ReportJob(options: options, localizer: try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc), diagnostics: diagnostics).run()
            var files: [String: Data] = [:]
            for file in result.written { files[URL(fileURLWithPath: file).lastPathComponent] = try Data(contentsOf: URL(fileURLWithPath: file)) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == files.keys.sorted())
            return (files, diagnostics.diagnostics.map(\.description))
        }
        let streamed = try report(streams: true)
        let sorted = try report(streams: false)
        #expect(streamed.files.count == 9)
        for (name, data) in sorted.files where streamed.files[name] != data {
            // A run made again lists the note why among its diagnostics (so do its summary,
            // twin, HTML and workbook); nothing else differs.
            let text = String(decoding: streamed.files[name] ?? Data(), as: UTF8.self)
            #expect(late != nil && (name.hasSuffix(".xlsx") || text.contains("read again and sorted")), "\(name)")
        }
        #expect(streamed.files["audit-report-2026-10-de-events.csv"] == sorted.files["audit-report-2026-10-de-events.csv"])
        if late == nil {
            #expect(streamed.notes == sorted.notes)
        } else {
            #expect(streamed.notes.first?.hasSuffix("note: not newest first from here on; read again and sorted") == true)
            #expect(Array(streamed.notes.dropFirst()) == sorted.notes)
        }
        #expect(sorted.notes.count == 6)
    }

    /// Held back: kept and counted, shown on release, forgotten on discard; other engines'
    /// diagnostics taken in before the held ones keep what the limit per message would have
    /// kept had they come first.
    @Test func diagnosticsHeldBackAreShownOnceInTheOrderOfAnUnstreamedRun() throws {
        var shown: [String] = []
        let engine = DiagnosticsEngine(limitPerMessage: 2) { shown.append($0.message) }
        try engine.emit(Diagnostic(file: "a", line: 1, "before"))
        engine.hold()
        try engine.emit(Diagnostic(file: "a", line: 2, "row 2 is odd"))
        try engine.emit(Diagnostic(file: "a", line: 3, "row 3 is odd"))
        #expect(shown == ["before"])
        engine.discardHeld()
        #expect(engine.diagnostics.map(\.message) == ["before"])
        #expect(engine.warningCount == 1)

        engine.hold()
        try engine.emit(Diagnostic(file: "a", line: 2, "row 2 is odd"))
        try engine.emit(Diagnostic(file: "a", line: 3, "row 3 is odd"))
        try engine.emit(Diagnostic(file: "a", line: 4, "row 4 is odd"))
        let reader = DiagnosticsEngine(limitPerMessage: 2)
        try reader.emit(Diagnostic(file: "a", line: 9, "row 9 is odd"))
        try reader.emit(Diagnostic(.note, file: "a", line: 0, "read as UTF-16"))
        try engine.absorbBeforeHeld([reader])
        engine.release()
        // The reader's first; of the three alike held, one more is kept (the limit is two).
        #expect(shown == ["before", "row 9 is odd", "read as UTF-16", "row 2 is odd"])
        #expect(engine.diagnostics.map(\.message) == shown)
        #expect(engine.warningCount == 5)
    }

    /// A reader in a stretch that gives no event (rows outside the month) still stops when
    /// cancelled, at its next check.
    @Test(.timeLimit(.minutes(1))) func aReaderThatSendsNothingStopsWhenCancelled() throws {
        let stream = InputStream<Int>(name: "test reader") { feed in
            try feed.send(AuditEvent(timestamp: Timestamp(milliseconds: 0), key: "page.viewed"))
            while true { try feed.check() }
        }
        stream.cancel()
        #expect(stream.outcome == nil)
        let done = InputStream<Int>(name: "test reader") { _ in 7 }
        #expect(try done.next() == nil)
        #expect(done.outcome == 7)
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
