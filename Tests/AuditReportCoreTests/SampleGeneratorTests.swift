import Foundation
import Testing

@testable import AuditReportCore

@Suite struct SampleGeneratorTests {
    func generate(seed: UInt64, language: String = "en", events: Int = 1500) throws -> SampleGenerator.Result {
        try SampleGenerator(options: .init(year: 2026, month: 2, events: events, seed: seed, csvLanguage: language), store: TestSupport.store).write(to: TestSupport.temporaryDirectory())
    }

    /// The scripted scenarios alone (no background) are a valid month too.
    @Test(arguments: [0, 1, 500, 1091])
    func smallSamplesAreWrittenAndReadBack(_ events: Int) throws {
        let result = try generate(seed: 2, events: events)
        let csv = try TestSupport.read(path: result.csvPath)
        #expect(csv.diagnostics == [])
        #expect(csv.events.count >= 300)
    }

    /// `--newest-first`: the same rows, newest first by time as Notion's export lists them, and
    /// the stream's lines oldest first, as delivered; a run streams them (and a run on the
    /// hour-by-hour files sorts).
    @Test(arguments: ["en", "de"])
    func aNewestFirstExportHoldsTheSameRowsLastFirst(_ language: String) throws {
        let oldest = try generate(seed: 3, language: language, events: 6000)
        var options = SampleGenerator.Options(year: 2026, month: 2, events: 6000, seed: 3, csvLanguage: language)
        options.asDelivered = true
        let newest = try SampleGenerator(options: options, store: TestSupport.store).write(to: TestSupport.temporaryDirectory())
        #expect(newest.csvRows == oldest.csvRows)
        // The stream: the same lines, oldest first by time (a retry right after its first).
        let lines = { (path: String) in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") }
        #expect(try lines(newest.siemPath).sorted() == lines(oldest.siemPath).sorted())
        let stream = try TestSupport.read(path: newest.siemPath).events.map(\.timestamp)
        #expect(zip(stream, stream.dropFirst()).allSatisfy { $0 <= $1 })
        let a = try TestSupport.read(path: oldest.csvPath).events
        let b = try TestSupport.read(path: newest.csvPath).events
        #expect(a.count == b.count)
        // The first file's rows put newest first (ties: last written first) are the second's.
        let order = a.indices.sorted { i, j in a[i].timestamp != a[j].timestamp ? a[i].timestamp > a[j].timestamp : i > j }
        #expect(zip(b, b.dropFirst()).allSatisfy { $0.timestamp >= $1.timestamp })
        for (x, y) in zip(order.map { a[$0] }, b) {
            #expect(x.timestamp == y.timestamp && x.key == y.key && x.actor == y.actor && x.target == y.target && x.extras == y.extras)
        }
        let header = { (path: String) in try String(contentsOfFile: path, encoding: .utf8).prefix { $0 != "\r\n" } }
        #expect(try header(newest.csvPath) == header(oldest.csvPath))
        func streamed(_ path: String) throws -> Bool {
            var options = EventPipeline.Options(inputs: [path])
            options.streams = true
            let pipeline = EventPipeline(store: TestSupport.store, options: options, diagnostics: DiagnosticsEngine())
            try pipeline.read()
            return pipeline.isStreamed
        }
        #expect(try streamed(newest.csvPath))
        #expect(try !streamed(oldest.csvPath))
        #expect(try streamed(newest.siemPath))
    }

    @Test func theSameSeedGivesTheSameFiles() throws {
        let a = try generate(seed: 5)
        let b = try generate(seed: 5)
        let c = try generate(seed: 6)
        #expect(FileManager.default.contents(atPath: a.csvPath) == FileManager.default.contents(atPath: b.csvPath))
        #expect(FileManager.default.contents(atPath: a.siemPath) == FileManager.default.contents(atPath: b.siemPath))
        #expect(FileManager.default.contents(atPath: a.csvPath) != FileManager.default.contents(atPath: c.csvPath))
    }

    @Test(arguments: ["en", "de"])
    func theSampleCoversEveryKeyAudienceAndHostileValueAndReadsBackWithoutWarnings(_ language: String) throws {
        let result = try generate(seed: 9, language: language)
        let zone = language == "de" ? TestSupport.berlin : TestSupport.utc
        let csv = try TestSupport.read(path: result.csvPath, inputTimeZone: zone)
        let siem = try TestSupport.read(path: result.siemPath)
        #expect(csv.diagnostics == [])
        #expect(siem.diagnostics == [])
        #expect(csv.events.count == 1500)
        let keys = Set(csv.events.map(\.key))
        for key in TestSupport.store.catalog.eventKeys {
            // Keys that share a UI label come back as their group key from a CSV export.
            let entry = TestSupport.store.catalog.entry(key)!
            #expect(keys.contains(key) || entry.groups.contains(where: keys.contains) || keys.contains(TestSupport.store.catalog.canonicalKey(key)), "\(key)")
        }
        #expect(Set(csv.events.compactMap(\.audience)) == Set(Audience.allCases))
        let titles = Set(csv.events.map(\.target.name))
        for hostile in SampleWorld.hostileTitles { #expect(titles.contains(hostile), "\(hostile)") }
        #expect(titles.contains { $0.count == 40_000 })
        #expect(Set(csv.events.map(\.country)).count >= 5)
        #expect(csv.events.contains { $0.actor.email.hasSuffix("partner-agency.example") })
        #expect(siem.events.contains { $0.actor.type == "bot" })
        // The stream repeats some events (webhook retries) and starts on the 8th.
        #expect(Set(siem.events.map(\.id)).count < siem.events.count)
        #expect(siem.events.allSatisfy { $0.timestamp >= TestSupport.ts("2026-02-08T00:00:00Z") })
    }

    @Test func csvAndStreamMergeToTheCSVsEvents() throws {
        let result = try generate(seed: 11, language: "de")
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: [result.csvPath, result.siemPath], inputTimeZone: TestSupport.berlin), diagnostics: DiagnosticsEngine())
        try pipeline.read()
        var merged: [AuditEvent] = []
        try pipeline.emit { merged.append($0) }
        _ = l
        #expect(merged.count == 1500)
        #expect(pipeline.duplicatesDropped == pipeline.inputs[1].read.events)
        // Every event the stream had now carries its id; none is left with a group key.
        // Audit-log-only events (organization and UI-only ones, and groups holding any) are in the export only.
        let catalog = TestSupport.store.catalog
        func streamed(_ key: String) -> Bool {
            guard let entry = catalog.entry(key) else { return true }
            return entry.kind == .group ? catalog.members(ofGroup: key).allSatisfy(streamed) : entry.keySource != "audit-log"
        }
        let unmatched = merged.filter { $0.timestamp >= TestSupport.ts("2026-02-08T00:00:00Z") && streamed($0.key) && ($0.id.isEmpty || $0.key.hasPrefix("group.")) }
        #expect(unmatched.map { "\($0.timestamp) \($0.key) \($0.actor) \($0.target)" } == [])
    }
}
