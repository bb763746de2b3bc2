import Testing

@testable import AuditReportCore

@Suite struct EventSpoolTests {
    func events(_ count: Int) -> [AuditEvent] {
        var random = SampleRandom(seed: 3)
        return (0..<count).map { i in
            var e = AuditEvent(id: "id\(i)", timestamp: Timestamp(milliseconds: 1_700_000_000_000 + Int64(random.below(50_000)) * 1000), key: "page.viewed")
            e.actor = Actor(id: "u\(i % 7)", email: "ü\(i)@x.de", name: "Name 🚀 \(i)", type: "person")
            e.target = Target(kind: "page", id: "p\(i % 13)", name: "Seite \"\(i)\"\n")
            e.audience = i % 5 == 0 ? nil : Audience(rawValue: UInt8(i % 4 + 1))
            e.details = [Field("old_permission", "none"), Field("entity.person.email", "g@x")]
            e.extras = i % 2 == 0 ? [Field("Teamspace", "T\(i)")] : []
            e.source = SourceLocation(input: i % 3, line: i + 2)
            return e
        }
    }

    func drained(_ spool: EventSpool) throws -> [AuditEvent] {
        var out: [AuditEvent] = []
        try spool.drain { out.append($0) }
        return out
    }

    @Test func codecRoundTripsEveryField() {
        for e in events(50) {
            var bytes: [UInt8] = []
            EventCodec.encode(e, into: &bytes)
            #expect(bytes.withUnsafeBytes { EventCodec.decode($0) } == e)
        }
    }

    @Test func sharedTextsDecodeToTheSameEvents() {
        // A table of 4 slots: long texts (over 15 bytes) meet others in their slot all the time.
        let strings = StringInterner(slots: 4)
        for e in events(200) {
            var e = e
            e.actor.email = "person.\(e.source.line % 9)@long-domain.example.com"
            e.workspace = e.source.line % 2 == 0 ? "Acme Corporation Workspace" : "Acme Corporation Workspacf"
            var bytes: [UInt8] = []
            EventCodec.encode(e, into: &bytes)
            #expect(bytes.withUnsafeBytes { EventCodec.decode($0, strings: strings) } == e)
        }
    }

    @Test func spilledRunsMergeToTheSameOrderAsInMemory() throws {
        let input = events(3000)
        let memory = EventSpool(temporaryDirectory: TestSupport.temporaryDirectory())
        let disk = EventSpool(runBytes: 20_000, temporaryDirectory: TestSupport.temporaryDirectory())
        for e in input {
            try memory.add(e)
            try disk.add(e)
        }
        #expect(memory.spilledRuns == 0)
        #expect(disk.spilledRuns > 10)
        let a = try drained(memory)
        let b = try drained(disk)
        #expect(a.count == 3000)
        #expect(a == b)
        // Newest first; ties by input, then line.
        for (x, y) in zip(a, a.dropFirst()) {
            #expect(x.timestamp > y.timestamp || (x.timestamp == y.timestamp && x.source < y.source))
        }
    }

    @Test func runFilesAreRemovedAfterDraining() throws {
        let dir = TestSupport.temporaryDirectory()
        let spool = EventSpool(runBytes: 5_000, temporaryDirectory: dir)
        for e in events(500) { try spool.add(e) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count > 0)
        _ = try drained(spool)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}

import Foundation
