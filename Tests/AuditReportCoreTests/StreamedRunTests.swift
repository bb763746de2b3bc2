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
        var warnings: Int
    }

    static func run(_ paths: [String], streams: Bool, maxBackwardDiagnostics: Int? = nil, diagnostics: DiagnosticsEngine = DiagnosticsEngine(limitPerMessage: 3)) throws -> (Outcome, streamed: Bool) {
        var options = EventPipeline.Options(inputs: paths)
        options.streams = streams
        if let maxBackwardDiagnostics { options.maxBackwardDiagnostics = maxBackwardDiagnostics }
        let pipeline = EventPipeline(store: TestSupport.store, options: options, diagnostics: diagnostics)
        try pipeline.read()
        let streamed = pipeline.isStreamed
        var events: [String] = []
        try pipeline.emit { e in
            events.append("\(e.timestamp.milliseconds) \(e.source.input):\(e.source.line) \(e.key) \(e.actor.email) \(e.extras.map { "\($0.name)=\($0.value)" })")
        }
        let outcome = Outcome(
            events: events, diagnostics: diagnostics.diagnostics.map(\.description), inputs: pipeline.inputs,
            extraColumns: pipeline.extraColumns, emitted: pipeline.emitted, warnings: diagnostics.warningCount)
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

    /// The report of an export alone (an admin without a SIEM), or with a SIEM stream as
    /// delivered (read from its end), streams too: every file it writes is the one sorting
    /// first writes; one out of order late is made again, once.
    @Test(arguments: [(nil, false), (5500, false), (nil, true)])
    func aReportOfANewestFirstExportWritesWhatSortingWrites(_ late: Int?, withStream: Bool) throws {
        let path = Self.newestFirst("export.csv", count: 6000, late: late)
        let inputs = withStream ? [path, Self.oldestFirstStream("stream.jsonl", count: 7000)] : [path]
        func report(streams: Bool) throws -> (files: [String: Data], notes: [String]) {
            let out = TestSupport.temporaryDirectory()
            let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.utc))
            var options = ReportJob.Options(
                inputs: inputs, period: period, outputDirectory: out, templatesDirectory: TestSupport.repositoryRoot.appendingPathComponent("Templates"),
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
        #expect(sorted.notes.count == (withStream ? 16 : 6))
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

    static func sha256(_ data: Data) -> String {
        var hash = SHA256()
        hash.update(Array(data))
        return hash.finish()
    }

    /// A SIEM stream as its webhook delivers it: JSON lines oldest first, from 2026-10-31
    /// 23:00 back `count` events (the same seconds and people as `newestFirst`, so some are
    /// duplicates of an export's rows), with a retry (a line twice), an invalid line every
    /// 700, a blank line, a Datadog page of two events, CRLF line ends, and no line end after
    /// the last line. `shift` moves that event's time by the seconds given, where it stays.
    static func oldestFirstStream(_ name: String, count: Int, shift: (event: Int, seconds: Int64)? = nil) -> String {
        var lines: [String] = []
        for i in (0..<count).reversed() {
            var t = TestSupport.ts("2026-10-31T23:00:00Z").milliseconds / 1000 - Int64(i / 3) * 7
            if i == shift?.event { t += shift!.seconds }
            let event = #"{"id":"e\#(i)","timestamp":"\#(Self.iso(t))","type":"page.viewed","actor":{"type":"person","person":{"email":"p\#(i % 11)@x.de"}},"details":{"target":{"type":"page_id","page_id":"page-\#(i % 13)"}}}"#
            lines.append(i % 3 == 1 ? #"{"event":\#(event)}"# : event)
            if i % 500 == 7 { lines.append(event) }
            if i % 700 == 11 { lines.append(#"{"id":"broken \#(i)","timestamp":"#) }
            if i == 2345 { lines.append("   ") }
            if i == 3456 { lines.append(#"{"data":[\#(event),\#(event.replacingOccurrences(of: "\"e\(i)\"", with: "\"d\(i)\""))]}"#) }
        }
        return TestSupport.file(name, lines.joined(separator: "\r\n"))
    }

    /// Read from its end, such a stream needs no sort: the run beside a newest-first export
    /// is streamed and gives exactly what sorting gives (events, each diagnostic in the lines'
    /// order and the limit per message keeping the first ones, summaries with the digest).
    @Test func aStreamOldestFirstIsReadFromItsEndAndGivesWhatSortingGives() throws {
        let paths = [Self.newestFirst("export.csv", count: 6000), Self.oldestFirstStream("stream.jsonl", count: 7000)]
        let (streamed, wasStreamed) = try Self.run(paths, streams: true)
        let (sorted, wasSorted) = try Self.run(paths, streams: false)
        #expect(wasStreamed)
        #expect(!wasSorted)
        #expect(streamed == sorted)
        let stream = try #require(streamed.inputs.last)
        #expect(stream.read.shapes == ["json-lines", "notion", "datadog"])
        #expect(stream.read.skipped == 10)
        #expect(stream.read.sha256 == Self.sha256(try Data(contentsOf: URL(fileURLWithPath: paths[1]))))
        #expect(stream.duplicatesDropped > 0)
        #expect(streamed.inputs.allSatisfy { $0.reconciles })
        // Of the stream's ten invalid lines, the first three are kept, the rest counted.
        #expect(streamed.diagnostics.filter { $0.contains("stream.jsonl") }.count == 3)
        #expect(streamed.warnings == 16)
    }

    /// A line delivered a day late (a webhook's last retry) comes early read from the end: the
    /// window holds it until its time, and the run still gives what sorting gives. A line far
    /// ahead of its neighbours (a sender's clock) comes too late: the run is made again, sorting.
    @Test func aLineDeliveredLateIsPutInPlaceOneFarAheadSorts() throws {
        let late = Self.oldestFirstStream("late.jsonl", count: 7000, shift: (300, -86_400))
        let (streamed, wasStreamed) = try Self.run([late], streams: true)
        #expect(wasStreamed)
        #expect(try streamed == Self.run([late], streams: false).0)

        let ahead = Self.oldestFirstStream("ahead.jsonl", count: 10000, shift: (5000, 86_400 / 2))
        var options = EventPipeline.Options(inputs: [ahead])
        options.streams = true
        let pipeline = EventPipeline(store: TestSupport.store, options: options, diagnostics: DiagnosticsEngine())
        try pipeline.read()
        #expect(pipeline.isStreamed)
        let error = #expect(throws: EventPipeline.NotInOrder.self) { try pipeline.emit { _ in } }
        #expect(error?.path == ahead)
    }

    /// Read from its end, a stream's diagnostics are all held to be given in line order; one
    /// with more than the bound (here 5 of its 29 invalid lines) is read again and sorted, as
    /// a run does (`streamingOrSorting`): a note names the file, and each warning is given
    /// once, as the sorted run alone gives it.
    @Test func aStreamWithMoreDiagnosticsThanHeldFromItsEndIsSorted() throws {
        let path = Self.oldestFirstStream("many-invalid.jsonl", count: 20000)
        let (sorted, wasSorted) = try Self.run([path], streams: false)
        #expect(!wasSorted)
        let (held, wasHeld) = try Self.run([path], streams: true)
        #expect(wasHeld)
        #expect(held == sorted)

        let diagnostics = DiagnosticsEngine(limitPerMessage: 3)
        var attempts: [Bool] = []
        let (outcome, _) = try EventPipeline.streamingOrSorting(true, diagnostics: diagnostics) { streams in
            attempts.append(streams)
            return try Self.run([path], streams: streams, maxBackwardDiagnostics: 5, diagnostics: diagnostics)
        }
        #expect(attempts == [true, false])
        #expect(outcome.events == sorted.events)
        #expect(outcome.inputs == sorted.inputs)
        let again = diagnostics.diagnostics.filter { $0.message.hasSuffix("read again and sorted") }
        #expect(again.map(\.message) == ["more than 5 diagnostics to give in order, read from its end; read again and sorted"])
        #expect(again.first?.file == path)
        #expect(again.first?.severity == .note)
        #expect(diagnostics.diagnostics.filter { !$0.message.hasSuffix("read again and sorted") }.map(\.description) == sorted.diagnostics)
        #expect(diagnostics.warningCount == sorted.warnings)
    }

    /// A stream holding what stops a reader (here a NUL byte past the look-ahead) is not read
    /// from its end: the run fails as a sorted one does, at the line.
    @Test func aStreamThatCannotBeReadFromItsEndFailsAsASortedRunDoes() throws {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.oldestFirstStream("nul-source.jsonl", count: 7000))), as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        lines[100] = "{\u{0}}"
        let path = TestSupport.file("nul.jsonl", lines.joined(separator: "\n"))
        for streams in [true, false] {
            #expect(throws: ReadError.binaryData(path: path, line: 101)) { _ = try Self.run([path], streams: streams) }
        }
    }

    /// Lines from the end: each with its number as read forward, over block boundaries, with
    /// CR kept, empty lines and the text after the last LF (empty or not) a line.
    @Test(arguments: [1, 3, 7, 1 << 20])
    func backwardLinesGiveEachLineWithItsNumber(_ blockSize: Int) throws {
        for text in ["a\nbb\r\n\nccc", "a\nbb\n", "", "\n", "one"] {
            let path = TestSupport.file("lines.txt", text)
            let file = try BackwardLines(path: path, maxLine: 100, blockSize: blockSize) {}
            var got: [(String, Int)] = []
            try file.read(stop: {}, progress: { _ in }) { got.append((String(decoding: $0, as: UTF8.self), $1)) }
            let forward = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated().map { (String(decoding: $1, as: UTF8.self), $0 + 1) }
            #expect(got.map(\.0) == forward.reversed().map(\.0), "\(text.debugDescription)")
            #expect(got.map(\.1) == forward.reversed().map(\.1))
            #expect(file.sha256 == Self.sha256(Data(text.utf8)))
        }
        // A line longer than the buffer first made (a block and 64 KiB): the buffer grows.
        if blockSize >= 7 {
            let wide = String(repeating: "y", count: 70_000) + "é"
            let path = TestSupport.file("wide.txt", "a\n" + wide + "\nb")
            let file = try BackwardLines(path: path, maxLine: 100_000, blockSize: blockSize) {}
            var got: [String] = []
            try file.read(stop: {}, progress: { _ in }) { line, _ in got.append(String(decoding: line, as: UTF8.self)) }
            #expect(got == ["b", wide, "a"])
        }
        let long = TestSupport.file("long.txt", "short\n" + String(repeating: "x", count: 101) + "\nshort")
        #expect(throws: BackwardLines.Unfit.self) { try BackwardLines(path: long, maxLine: 100, blockSize: blockSize) {} }
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

    /// The window hands events on in the spool's order whatever the disorder within its reach:
    /// events shuffled in blocks no longer than the window (equal times among them, whose lines
    /// decide), taken in and handed on as the merge does, come out sorted.
    @Test func theWindowHandsEventsOnInTheSpoolsOrder() throws {
        var state: UInt64 = 16
        func random() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for window in [1, 2, 3, 8, 64] {
            for block in Set([1, 2, window / 2 + 1, window]) where block <= window {
                var read: [AuditEvent] = []
                for i in 0..<500 {
                    // Newest first, with a run of equal times every few events.
                    var e = AuditEvent(timestamp: Timestamp(milliseconds: Int64(10_000 - i / 3) * 1000), key: "page.viewed")
                    e.source = SourceLocation(input: 0, line: i + 2)
                    read.append(e)
                }
                for start in stride(from: 0, to: read.count, by: block) {
                    let end = min(start + block, read.count)
                    for i in (start + 1..<end).reversed() { read.swapAt(i, start + Int(random() % UInt64(i - start + 1))) }
                }
                let held = OrderedMerge.Window(capacity: window)
                var last: OrderedMerge.Key?
                var out: [AuditEvent] = []
                for e in read {
                    if held.isFull {
                        last = held.first
                        out.append(held.pop())
                    }
                    try held.push(e, after: last, path: "")
                }
                while !held.isEmpty { out.append(held.pop()) }
                let sorted = read.sorted { ($0.timestamp.milliseconds, -$0.source.line) > ($1.timestamp.milliseconds, -$1.source.line) }
                #expect(out.map(\.source.line) == sorted.map(\.source.line), "window \(window), blocks of \(block)")
            }
        }
    }
}
