import Foundation
import Testing

@testable import AuditReportCore

/// The collect store on real files: bodies checked and kept as received, appends made durable,
/// torn lines cut, days sealed into a chain that `StoreVerifier` checks, and the retention.
@Suite struct StoreTests {
    /// A clock the test moves.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now: Timestamp
        init(_ text: String) { now = TestSupport.ts(text) }
        func set(_ text: String) {
            lock.lock()
            now = TestSupport.ts(text)
            lock.unlock()
        }
        var read: @Sendable () -> Timestamp {
            { [self] in
                lock.lock()
                defer { lock.unlock() }
                return now
            }
        }
    }

    static func event(_ id: String, type: String = "page.viewed", time: String = "2026-11-30T10:00:00.000Z") -> String {
        #"{"id":"\#(id)","timestamp":"\#(time)","workspace_id":"w1","actor":{"id":"u1","object":"user","type":"person","person":{"email":"anna@example.com"}},"type":"\#(type)","details":{"page_name":"Plan","page_audience":"private"}}"#
    }

    func records(_ body: String, hec: Bool = false) -> Result<[ReceivedBody.Record], ReceivedBody.Problem> {
        ReceivedBody.records(in: Array(body.utf8), store: TestSupport.store, requireEventMember: hec)
    }

    func ids(_ body: String, hec: Bool = false) -> [String]? {
        guard case .success(let found) = records(body, hec: hec) else { return nil }
        return found.map(\.eventID)
    }

    func problem(_ body: String, hec: Bool = false) -> ReceivedBody.Problem? {
        guard case .failure(let problem) = records(body, hec: hec) else { return nil }
        return problem
    }

    /// The lines of a sealed segment, through the reader's own gzip decoding.
    static func gunzip(_ path: String) throws -> Data {
        let stream = try ByteStream(path: path, encoding: nil)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { try stream.read(into: $0.baseAddress!, capacity: $0.count) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return Data(out)
    }

    // MARK: - Bodies

    @Test func everyBodyShapeNotionAndTheSIEMsSendIsRead() {
        let a = Self.event("a"), b = Self.event("b")
        #expect(ids("{\"event\":\(a)}") == ["a"])
        #expect(ids(a) == ["a"])
        #expect(ids("[{\"event\":\(a)},\(b)]") == ["a", "b"])
        #expect(ids("{\"event\":\(a)}\n{\"event\":\(b)}\n") == ["a", "b"])
        // Splunk HEC: envelopes one after another, the event bare, as Notion's body, or as a string.
        #expect(ids("{\"event\":\(a),\"sourcetype\":\"notion\",\"time\":1}{\"event\":{\"event\":\(b)}}", hec: true) == ["a", "b"])
        let quoted = String(decoding: try! JSONSerialization.data(withJSONObject: [a]), as: UTF8.self).dropFirst().dropLast()
        #expect(ids("{\"event\":\(quoted)}", hec: true) == ["a"])
        #expect(ids("\u{FEFF}{\"event\":\(a)}") == ["a"])
    }

    @Test func aRecordIsKeptAsReceivedOnOneLine() throws {
        let pretty = "[\r\n  {\n    \"event\": {\"id\": \"p1\",\n \"timestamp\": \"2026-11-30T10:00:00.000Z\", \"type\": \"page.viewed\",\n \"details\": {\"page_name\": \"a\\nb  c\"}}\n  }\n]"
        let found = try records(pretty).get()
        #expect(found.count == 1)
        let line = String(decoding: found[0].json, as: UTF8.self)
        #expect(line == "{    \"event\": {\"id\": \"p1\", \"timestamp\": \"2026-11-30T10:00:00.000Z\", \"type\": \"page.viewed\", \"details\": {\"page_name\": \"a\\nb  c\"}}  }")
        #expect(!found[0].json.contains(0x0A))
        #expect((try? JSONParser.parse(line, path: "", line: 1)) != nil)
    }

    @Test func aBodyWithoutANotionEventIsRejectedWhole() {
        #expect(problem("")?.kind == .empty)
        #expect(problem("  \n ")?.kind == .empty)
        #expect(problem("[]")?.kind == .empty)
        #expect(problem("hello")?.kind == .invalidJSON)
        #expect(problem("{\"event\":")?.kind == .invalidJSON)
        #expect(problem("{\"a\":1}")?.kind == .noEvent)
        #expect(problem("[1,2]")?.kind == .noEvent)
        #expect(problem("{\"event\":{\"type\":\"page.viewed\",\"timestamp\":\"yesterday\"}}")?.message.contains("unrecognized timestamp") == true)
        // One bad record of three: the whole body is refused, naming the record.
        let mixed = problem("\(Self.event("a"))\n{\"nothing\":true}\n\(Self.event("c"))")
        #expect(mixed?.kind == .noEvent)
        #expect(mixed?.record == 1)
        #expect(mixed?.message.hasPrefix("record 2 (line 2)") == true)
        #expect(problem(Self.event("a"), hec: true)?.kind == .missingEventMember)
        #expect(problem("{\"event\":\"\"}", hec: true)?.kind == .blankEvent)
        #expect(problem("{\"event\":{\"id\":\"x\",\"type\":\"page.viewed\",\"timestamp\":\"2026-11-30T10:00:00Z\",\"details\":{\"page_name\":\"\u{FFFD}\"}}}") == nil)
        var invalid = Array("{\"event\":{\"id\":\"x\",\"type\":\"page.viewed\",\"timestamp\":\"2026-11-30T10:00:00Z\",\"details\":{\"page_name\":\"".utf8)
        invalid += [0xFF, 0xFE] + Array("\"}}}".utf8)
        guard case .failure(let utf8) = ReceivedBody.records(in: invalid, store: TestSupport.store) else {
            Issue.record("invalid UTF-8 accepted")
            return
        }
        #expect(utf8.kind == .invalidJSON)
    }

    // MARK: - HMAC

    @Test(arguments: [
        // RFC 4231 test cases 1, 2 and 6 (a key longer than the block).
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func hmacMatchesRFC4231(key: [UInt8], message: [UInt8], expected: String) {
        #expect(SHA256.hmac(key: key, message: message).map { String(format: "%02x", $0) }.joined() == expected)
    }

    // MARK: - Appending

    func lines(_ path: String) -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    @Test func concurrentAppendsAreAllOnDiskOnceEachWhenAcknowledged() async throws {
        let dir = TestSupport.temporaryDirectory().path
        let clock = Clock("2026-11-30T12:00:00Z")
        let store = try EventStore(directory: dir, reserveBytes: 0, clock: clock.read)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask { try await store.append(endpoint: "notion", records: [Array(Self.event("e\(i)").utf8)]) }
            }
            try await group.waitForAll()
        }
        let written = lines(StoreLayout(directory: dir).openSegment(StoreLayout.Day(year: 2026, month: 11, day: 30)))
        #expect(written.count == 200)
        #expect(Set(written).count == 200)
        #expect(written.allSatisfy { $0.hasPrefix("{\"collected_at\":\"2026-11-30T12:00:00.000Z\",\"endpoint\":\"notion\",\"record\":{\"id\":\"e") })
        let stats = store.statistics.snapshot
        #expect(stats.events == 200)
        // Requests waiting together share an fsync.
        #expect(stats.fsyncCount >= 1 && stats.fsyncCount <= 200)
        store.close()
        // The store reads back as an input, each event once.
        let read = try TestSupport.read(path: StoreLayout(directory: dir).openSegment(StoreLayout.Day(year: 2026, month: 11, day: 30)))
        #expect(read.events.count == 200)
        #expect(read.summary.shapes.contains("collect-store"))
    }

    @Test func aSecondServerCannotOpenTheSameStore() throws {
        let dir = TestSupport.temporaryDirectory().path
        let first = try EventStore(directory: dir)
        #expect(throws: StoreError.unusable(path: dir, reason: "another collect server is using it")) { try EventStore(directory: dir) }
        first.close()
    }

    @Test func aTornLastLineIsCutWhenTheStoreOpens() throws {
        let dir = TestSupport.temporaryDirectory().path
        let layout = StoreLayout(directory: dir)
        let path = layout.openSegment(StoreLayout.Day(year: 2026, month: 11, day: 30))
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let whole = "{\"collected_at\":\"2026-11-30T11:00:00.000Z\",\"endpoint\":\"notion\",\"record\":\(Self.event("a"))}\n"
        try (whole + "{\"collected_at\":\"2026-11-30T11:00:01.000Z\",\"endp").write(toFile: path, atomically: false, encoding: .utf8)
        let store = try EventStore(directory: dir, clock: { TestSupport.ts("2026-11-30T12:00:00Z") })
        #expect(store.recoveryNotes == ["\(path): cut a torn last line of 48 bytes (a write that was never acknowledged)"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == whole)
        store.close()
    }

    @Test func aFullStoreRefusesWithoutKeepingAnything() async throws {
        let dir = TestSupport.temporaryDirectory().path
        // A reserve larger than any disk: every write is refused before it starts.
        let store = try EventStore(directory: dir, reserveBytes: Int64.max / 2, clock: { TestSupport.ts("2026-11-30T12:00:00Z") })
        await #expect(throws: StoreError.self) { try await store.append(endpoint: "notion", records: [Array(Self.event("a").utf8)]) }
        let segment = StoreLayout(directory: dir).openSegment(StoreLayout.Day(year: 2026, month: 11, day: 30))
        #expect(lines(segment).isEmpty)
        #expect(store.statistics.snapshot.failures["store_full"] == 1)
        store.close()
        await #expect(throws: StoreError.closed) { try await store.append(endpoint: "notion", records: [Array(Self.event("b").utf8)]) }
    }

    // MARK: - Sealing and verifying

    /// Three days of events, each sealed when the next begins.
    func threeSealedDays() async throws -> (dir: String, store: EventStore, clock: Clock) {
        let dir = TestSupport.temporaryDirectory().path
        let clock = Clock("2026-11-27T23:00:00Z")
        let store = try EventStore(directory: dir, reserveBytes: 0, sealInterval: 3600, clock: clock.read)
        for (day, count) in [("27", 3), ("28", 1), ("29", 2)] {
            clock.set("2026-11-\(day)T23:00:00Z")
            for i in 0..<count { try await store.append(endpoint: "notion", records: [Array(Self.event("\(day)-\(i)").utf8)]) }
        }
        clock.set("2026-11-30T00:00:05Z")
        store.sealPastDays()
        return (dir, store, clock)
    }

    @Test func daysAreSealedIntoAChainThatVerifies() async throws {
        let (dir, store, _) = try await threeSealedDays()
        defer { store.close() }
        let layout = StoreLayout(directory: dir)
        #expect(layout.segments().map { "\($0.day) \($0.sealed)" } == ["2026-11-27 true", "2026-11-28 true", "2026-11-29 true"])
        let seals = try StoreSeals(layout: layout).entries().seals
        #expect(seals.map(\.events) == [3, 1, 2])
        #expect(seals[0].previous == StoreSeals.genesis)
        #expect(seals[1].previous == seals[0].seal && seals[2].previous == seals[1].seal)
        let outcome = try StoreVerifier.verify(directory: dir, today: StoreLayout.Day(year: 2026, month: 11, day: 30))
        #expect(outcome.problems == [])
        #expect(outcome.sealedDays == 3 && outcome.sealedEvents == 6)
        #expect(outcome.head == seals[2])
        // A sealed day reads back as an input.
        let read = try TestSupport.read(path: layout.sealedSegment(StoreLayout.Day(year: 2026, month: 11, day: 27)))
        #expect(read.events.map(\.id) == ["27-0", "27-1", "27-2"])
        // A report of November reads every segment that can hold its events.
        #expect(layout.segments(from: StoreLayout.Day(year: 2026, month: 11, day: 1), to: StoreLayout.Day(year: 2026, month: 11, day: 30)).count == 3)
        #expect(layout.segments(from: StoreLayout.Day(year: 2026, month: 10, day: 1), to: StoreLayout.Day(year: 2026, month: 10, day: 31)).isEmpty)
    }

    @Test func verifyFindsAChangedAMissingAnAddedAndAnUnchainedDay() async throws {
        let (dir, store, _) = try await threeSealedDays()
        store.close()
        let layout = StoreLayout(directory: dir)
        let today = StoreLayout.Day(year: 2026, month: 11, day: 30)
        let d27 = StoreLayout.Day(year: 2026, month: 11, day: 27), d28 = d27 + 1, d29 = d27 + 2
        // Changed: one byte of the compressed file.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: layout.sealedSegment(d28)))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: layout.sealedSegment(d28)))
        // Missing: a sealed day removed by hand.
        try FileManager.default.removeItem(atPath: layout.sealedSegment(d29))
        // Added: a day no seal accounts for.
        try FileManager.default.copyItem(atPath: layout.sealedSegment(d27), toPath: layout.sealedSegment(d27 - 1))
        var outcome = try StoreVerifier.verify(directory: dir, today: today)
        #expect(outcome.problems.count == 3)
        #expect(outcome.problems.contains { $0.hasPrefix(layout.sealedSegment(d28)) && $0.contains("changed since it was sealed") })
        #expect(outcome.problems.contains { $0.hasPrefix(layout.sealedSegment(d29)) && $0.contains("missing") })
        #expect(outcome.problems.contains { $0.hasPrefix(layout.sealedSegment(d27 - 1)) && $0.contains("no seal accounts for") })
        // Out of chain: the middle seal taken out of seals.jsonl.
        let sealLines = try String(contentsOfFile: layout.sealsFile, encoding: .utf8).split(separator: "\n")
        try (sealLines[0] + "\n" + sealLines[2] + "\n").write(toFile: layout.sealsFile, atomically: false, encoding: .utf8)
        outcome = try StoreVerifier.verify(directory: dir, today: today)
        #expect(outcome.problems.contains { $0.hasPrefix("2026-11-29: out of chain") })
        // A seal's own entry edited (fewer events claimed).
        try (sealLines[0].replacingOccurrences(of: "\"events\":3", with: "\"events\":2") + "\n").write(toFile: layout.sealsFile, atomically: false, encoding: .utf8)
        outcome = try StoreVerifier.verify(directory: dir, today: today)
        #expect(outcome.problems.contains { $0.hasPrefix("2026-11-27: its seal does not match its own entry") })
    }

    @Test func aSealInterruptedByACrashIsFinishedOnTheNextRun() async throws {
        let (dir, store, _) = try await threeSealedDays()
        store.close()
        let layout = StoreLayout(directory: dir)
        let d29 = StoreLayout.Day(year: 2026, month: 11, day: 29)
        // The crash came after the seal was written, before the open file was removed.
        let lines = try Self.gunzip(layout.sealedSegment(d29))
        try lines.write(to: URL(fileURLWithPath: layout.openSegment(d29)))
        #expect(try StoreVerifier.verify(directory: dir, today: d29 + 1).problems.count == 1)
        let again = try EventStore(directory: dir, sealInterval: 3600, clock: { TestSupport.ts("2026-11-30T00:10:00Z") })
        again.sealPastDays()
        again.close()
        #expect(try StoreVerifier.verify(directory: dir, today: d29 + 1).problems == [])
        #expect(!FileManager.default.fileExists(atPath: layout.openSegment(d29)))
    }

    @Test func theRetentionRemovesOldDaysAndVerifySaysSo() async throws {
        let dir = TestSupport.temporaryDirectory().path
        let clock = Clock("2026-11-27T23:00:00Z")
        let store = try EventStore(directory: dir, reserveBytes: 0, retainDays: 2, sealInterval: 3600, clock: clock.read)
        for day in ["27", "28", "29"] {
            clock.set("2026-11-\(day)T23:00:00Z")
            try await store.append(endpoint: "notion", records: [Array(Self.event(day).utf8)])
        }
        clock.set("2026-11-30T00:00:05Z")
        store.sealPastDays()
        store.close()
        let layout = StoreLayout(directory: dir)
        // Today minus two days is the 28th: the 27th goes.
        #expect(layout.segments().map { "\($0.day)" } == ["2026-11-28", "2026-11-29"])
        let outcome = try StoreVerifier.verify(directory: dir, today: StoreLayout.Day(year: 2026, month: 11, day: 30))
        #expect(outcome.problems == [])
        #expect(outcome.notes.contains("2026-11-27: removed by the retention on 2026-11-30"))
    }
}

/// Inputs of the same file name are told apart by their folders, in every reference.
@Suite struct InputNamesTests {
    @Test func namesGrowOnlyAsFarAsNeeded() {
        #expect(InputNames.distinct(["/a/export.csv", "/b/stream.jsonl"]) == ["export.csv", "stream.jsonl"])
        // A collect store's segments by their day.
        #expect(InputNames.distinct(["/st/2026/10/30.jsonl.gz", "/st/2026/11/30.jsonl", "/exports/export.csv"]) == ["2026/10/30.jsonl.gz", "2026/11/30.jsonl", "export.csv"])
        #expect(InputNames.distinct(["/a/2026/10/30.jsonl", "/b/2026/10/30.jsonl"]) == ["a/2026/10/30.jsonl", "b/2026/10/30.jsonl"])
        // Two exports of one name from two folders.
        #expect(InputNames.distinct(["/q3/export.csv", "/q4/export.csv", "/q4/x.csv"]) == ["q3/export.csv", "q4/export.csv", "x.csv"])
        #expect(InputNames.distinct(["/same.csv", "/same.csv"]) == ["same.csv", "same.csv"])
    }
}
