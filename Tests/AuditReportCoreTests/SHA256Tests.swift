import Foundation
import Testing

@testable import AuditReportCore

@Suite struct SHA256Tests {
    func digest(_ bytes: [UInt8], chunk: Int) -> String {
        var h = SHA256()
        var i = 0
        while i < bytes.count {
            h.update(Array(bytes[i..<min(i + chunk, bytes.count)]))
            i += chunk
        }
        return h.finish()
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownDigestsInAnyChunking(_ text: String, _ expected: String) {
        for chunk in [1, 3, 63, 64, 65, 1000] { #expect(digest(Array(text.utf8), chunk: chunk) == expected) }
    }

    @Test func aMillionAsAndAFileMatchTheStandard() throws {
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        #expect(digest(million, chunk: 4096) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let path = TestSupport.file("m.txt", million)
        #expect(try SHA256.file(path) == ("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", 1_000_000))
    }
}

/// An input's digest taken while it is read is the digest of the file as on disk.
@Suite struct DigestWhileReadingTests {
    func readHashing(_ path: String) throws -> ReadSummary {
        var context = ReadContext(store: TestSupport.store, inputIndex: 0, inputTimeZone: TestSupport.utc, diagnostics: DiagnosticsEngine())
        context.hashesInput = true
        return try InputReader.read(path: path, context: context) { _ in }
    }

    @Test func aCSVAJSONLinesAndAGzipFileHashAsTheyAreOnDisk() throws {
        // Large enough for many reads of the stream's chunks.
        var csv = "Date,Email,Event\n"
        for i in 0..<20_000 { csv += "2026-10-05T08:\(String(format: "%02d", i % 60)):00Z,a\(i)@x.de,Login\n" }
        let json = (0..<5_000).map { #"{"event":{"id":"e\#($0)","timestamp":"2026-10-05T08:00:00Z","type":"user.login","actor":{"id":"u1","type":"person","person":{"email":"a@x.de"}}}}"# }.joined(separator: "\n") + "\n"
        let paths = [TestSupport.file("h.csv", csv), TestSupport.file("h.jsonl", json), TestSupport.file("h.jsonl.gz", TestSupport.gzip(json))]
        for path in paths {
            let summary = try readHashing(path)
            #expect(summary.events > 1000)
            #expect(summary.sha256 == (try SHA256.file(path).digest), "\(path)")
        }
    }

    @Test func withoutBeingAskedNoDigestIsTaken() throws {
        let path = TestSupport.file("n.csv", "Date,Email,Event\n2026-10-05T08:00:00Z,a@x.de,Login\n")
        #expect(try TestSupport.read(path: path).summary.sha256 == nil)
        #expect(try readHashing(path).sha256 == (try SHA256.file(path).digest))
    }

    /// A stream stopped before the end has no digest of the whole file.
    @Test func aStreamNotReadToItsEndGivesNone() throws {
        let path = TestSupport.file("p.bin", [UInt8](repeating: 0x41, count: 1 << 20))
        let stream = try ByteStream(path: path, chunkSize: 1 << 16, hashing: true)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        defer { buffer.deallocate() }
        _ = try stream.read(into: buffer, capacity: 1 << 16)
        #expect(stream.digest() == nil)
        while try stream.read(into: buffer, capacity: 1 << 16) > 0 {}
        #expect(stream.digest() == (try SHA256.file(path).digest))
    }
}
