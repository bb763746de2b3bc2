import Foundation
import Testing

@testable import AuditReportCore

/// The line decoder (no JSON tree) against the general way (parser, unwrapper, normalizer): where
/// it decodes a line at all, it must make the very event the general way makes.
@Suite struct SIEMLineDecoderTests {
    let decoder = SIEMLineDecoder(store: TestSupport.store)
    let normalizer = SIEMEventNormalizer(store: TestSupport.store)

    /// The general way's event for a line, or nil when it makes none.
    func general(_ line: String) -> AuditEvent? {
        guard let value = try? JSONParser.parse(line, path: "t", line: 1), let record = value.objectValue else { return nil }
        guard case .event(let event, let time, _) = SIEMRecordUnwrapper.unwrap(record, path: "t", line: 1) else { return nil }
        guard case .success(let normalized) = normalizer.normalize(event, fallbackTime: time, source: SourceLocation(input: 2, line: 7)) else { return nil }
        return normalized
    }

    func fast(_ line: String) -> AuditEvent? {
        Array(line.utf8).withUnsafeBufferPointer { decoder.decode($0, source: SourceLocation(input: 2, line: 7)) }
    }

    /// Every line of the sample month's stream and the fixture month: nearly all take the
    /// decoder's way, and each gives the general way's event.
    @Test func theSampleStreamsDecodeAsTheGeneralWayReadsThem() throws {
        var decoded = 0
        var lines = 0
        for path in [TestSupport.repositoryRoot.appendingPathComponent("Examples/sample-2026-10-siem.jsonl"), TestSupport.fixtures.appendingPathComponent("month/stream.jsonl")] {
            for line in try String(contentsOf: path, encoding: .utf8).split(separator: "\n") {
                lines += 1
                guard let event = fast(String(line)) else { continue }
                decoded += 1
                #expect(event == general(String(line)), "\(line.prefix(120))")
            }
        }
        #expect(decoded * 100 >= lines * 95, "\(decoded) of \(lines) lines decoded without a tree")
    }

    /// Texts met before come from a table shared across lines: with one slot, every long text
    /// keeps meeting another, and each line still gives the general way's event; a line whose
    /// long text has bad bytes is left to the general way even right after its valid twin.
    @Test func sharedTextsAcrossLinesGiveTheGeneralWaysEvents() throws {
        let shared = SIEMLineDecoder(store: TestSupport.store, strings: StringInterner(slots: 1))
        let path = TestSupport.repositoryRoot.appendingPathComponent("Examples/sample-2026-10-siem.jsonl")
        var decoded = 0
        for line in try String(contentsOf: path, encoding: .utf8).split(separator: "\n").prefix(400) {
            guard let event = Array(line.utf8).withUnsafeBufferPointer({ shared.decode($0, source: SourceLocation(input: 2, line: 7)) }) else { continue }
            decoded += 1
            #expect(event == general(String(line)), "\(line.prefix(120))")
        }
        #expect(decoded >= 380)
        let line = #"{"event":{"id":"e1","timestamp":"2026-10-08T00:39:07.342Z","type":"page.viewed","details":{"page_name":"Übersicht Kundenliste München"}}}"#
        let valid = Array(line.utf8)
        var bad = valid
        bad[bad.firstIndex(of: UInt8(ascii: "M"))!] = 0xFF
        for bytes in [valid, bad, valid, bad] {
            let event = bytes.withUnsafeBufferPointer { shared.decode($0, source: SourceLocation(input: 2, line: 7)) }
            #expect(event == (bytes == valid ? general(line) : nil))
        }
    }

    /// Lines of the sample stream changed at random: members dropped, reordered, repeated, added,
    /// their values made numbers, null, objects, arrays, escaped or non-ASCII text, spaces put
    /// between tokens. Whatever the decoder accepts, it reads as the general way does; it accepts
    /// a good share of them (so the comparison compares something).
    @Test func changedLinesDecodeAsTheGeneralWayReadsThemOrGoTheGeneralWay() throws {
        let path = TestSupport.repositoryRoot.appendingPathComponent("Examples/sample-2026-10-siem.jsonl")
        let lines = try String(contentsOf: path, encoding: .utf8).split(separator: "\n").prefix(400).map(String.init)
        var random = SampleRandom(seed: 5)
        var accepted = 0
        var compared = 0
        for round in 0..<4000 {
            guard var value = try? JSONParser.parse(lines[random.below(lines.count)], path: "t", line: 1) else { continue }
            for _ in 0..<(1 + random.below(3)) { value = mutate(value, &random, depth: 0) }
            var text = value.jsonText
            if random.below(4) == 0 { text = spaced(text, &random) }
            compared += 1
            guard let event = fast(text) else { continue }
            accepted += 1
            #expect(event == general(text), "round \(round): \(text.prefix(300))")
        }
        #expect(accepted * 10 >= compared, "\(accepted) of \(compared) accepted")
        #expect(accepted < compared, "every changed line accepted: the changes change nothing")
    }

    /// Odd shapes the decoder must leave to the general way (which reads or words them).
    @Test func otherShapesGoTheGeneralWay() {
        let base = #"{"id":"e1","timestamp":"2026-10-08T00:39:07.342Z","actor":{"id":"u1","type":"person","person":{"email":"a@x.de"}},"type":"page.viewed","details":{"page_name":"P"}}"#
        #expect(fast(base) == general(base))
        #expect(fast(base) != nil)
        // Escapes, a surrogate pair among them, read as the general way reads them.
        let escaped = base.replacingOccurrences(of: #""page_name":"P""#, with: #""page_name":"\"P\" \u00e4\ud83d\ude00\n\t\/\\""#)
        #expect(fast(escaped)?.target.name == "\"P\" ä😀\n\t/\\")
        #expect(fast(escaped) == general(escaped))
        var odd: [String] = []
        odd.append(base.replacingOccurrences(of: #""page_name":"P""#, with: #""page_name":"P\udc00""#))
        odd.append(base.replacingOccurrences(of: #""page_name":"P""#, with: #""page_name":"P\ud800x""#))
        odd.append(base.replacingOccurrences(of: #""page_name":"P""#, with: #""page_name":"P\q""#))
        odd.append(base.replacingOccurrences(of: #""id":"e1""#, with: #""id":1"#))
        odd.append(base.replacingOccurrences(of: #""id":"e1","#, with: #""id":"e1","id":"e2","#))
        odd.append(base.replacingOccurrences(of: #","details":{"page_name":"P"}"#, with: ""))
        odd.append(base.replacingOccurrences(of: #""type":"page.viewed""#, with: #""type":"""#))
        odd.append(base.replacingOccurrences(of: #""timestamp":"2026-10-08T00:39:07.342Z""#, with: #""timestamp":"soon""#))
        odd.append(#"{"p_event_time":"2026-10-08 00:39:07","event":"#.appending(base).appending("}"))
        odd.append(#"{"event":"#.appending(base).appending(#","extra":1}"#))
        odd.append(#"{"collected_at":"2026-10-08T00:39:08Z","record":"#.appending(base).appending("}"))
        odd.append(base.replacingOccurrences(of: #"{"page_name":"P"}"#, with: #"{"page_name":"P","page_name":"Q"}"#))
        odd.append(base + " x")
        odd.append(String(base.dropLast()))
        for line in odd {
            #expect(fast(line) == nil, "\(line)")
        }
        // Invalid UTF-8 is left to the general way, which replaces and warns.
        var bytes = Array(base.utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "P"))!] = 0xFF
        #expect(bytes.withUnsafeBufferPointer { decoder.decode($0, source: SourceLocation(input: 0, line: 1)) } == nil)
    }

    /// Member names are matched as bytes where they stand: a name that only starts or ends like
    /// a known one is no known one, an escaped name goes the general way (which reads it as the
    /// name), a time with an escape or a letter past ASCII is read as text, and each audience
    /// spelling gives its level every time it recurs (it is looked up once per decoder).
    @Test func namesAreMatchedAsBytesAndTimesAndAudiencesReadAsTheGeneralWayReadsThem() {
        let base = #"{"id":"e1","timestamp":"2026-10-08T00:39:07.342Z","actor":{"id":"u1","type":"person","person":{"email":"a@x.de"}},"type":"page.viewed","details":{"page_name":"P"}}"#
        for near in [#""typ":"page.viewed""#, #""types":"page.viewed""#, #""Type":"page.viewed""#, #""":"page.viewed""#] {
            let line = base.replacingOccurrences(of: #""type":"page.viewed""#, with: near)
            #expect(fast(line) == nil, "\(line)")
        }
        let escapedName = base.replacingOccurrences(of: #""type":"page.viewed""#, with: #""t\u0079pe":"page.viewed""#)
        #expect(fast(escapedName) == nil)
        #expect(general(escapedName)?.key == "page.viewed")
        let escapedTime = base.replacingOccurrences(of: #""2026-10-08T00:39:07.342Z""#, with: #""2026-10-08T00:39:07.342\u005A""#)
        #expect(fast(escapedTime) != nil)
        #expect(fast(escapedTime) == general(escapedTime))
        #expect(fast(escapedTime) == fast(base))
        let spacedTime = base.replacingOccurrences(of: #""2026-10-08T00:39:07.342Z""#, with: #"  "2026-10-08T00:39:07.342Z" "#)
        #expect(fast(spacedTime) == fast(base))
        let germanTime = base.replacingOccurrences(of: #""2026-10-08T00:39:07.342Z""#, with: #""8. März 2026""#)
        #expect(fast(germanTime) == general(germanTime))
        let repeatedTime = base.replacingOccurrences(of: #""id":"e1","#, with: #""id":"e1","timestamp":"2026-10-09T00:00:00Z","#)
        #expect(fast(repeatedTime) == nil)
        for spelling in ["shared_to_web", "Shared to web", "Im Web geteilt", "shared_internally", "no such level", "shared_to_web", "Im Web geteilt", "no such level"] {
            let line = base.replacingOccurrences(of: #"{"page_name":"P"}"#, with: #"{"page_name":"P","page_audience":"\#(spelling)"}"#)
            let event = fast(line)
            #expect(event != nil)
            #expect(event == general(line), "\(spelling)")
            #expect(event?.audience == TestSupport.store.audience(spelling), "\(spelling)")
        }
    }

    private func mutate(_ value: JSONValue, _ random: inout SampleRandom, depth: Int) -> JSONValue {
        guard case .object(var object) = value, !object.members.isEmpty else { return value }
        let i = random.below(object.members.count)
        switch random.below(10) {
        case 0: object.members.remove(at: i)
        case 1: object.members.swapAt(i, random.below(object.members.count))
        case 2: object.members.append(object.members[i])
        case 3: object.members.insert(.init(key: ["workspace_name", "teamspace", "target", "name", "email", "bot", "page_id", "type", "title", "p_x"][random.below(10)], value: .string("x\(random.below(3))")), at: i)
        case 4: object.members[i].value = [.number("7"), .null, .bool(true), .object(JSONObject([.init(key: "id", value: .string("t"))])), .array([.string("a")]), .string(""), .string("Zürich"), .string("a\"b"), .string("page_id")][random.below(9)]
        case 5: object.members[i].key = ["target", "page_audience", "page_name", "teamspace", "details", "actor", "person", "object", "workspace_id"][random.below(9)]
        default: object.members[i].value = mutate(object.members[i].value, &random, depth: depth + 1)
        }
        return .object(object)
    }

    /// JSON text with spaces, tabs or returns after some structural characters.
    private func spaced(_ text: String, _ random: inout SampleRandom) -> String {
        var out = ""
        var inString = false
        var escaped = false
        for c in text {
            out.append(c)
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            if c == "\"" { inString = true } else if "{}[],:".contains(c), random.below(2) == 0 { out += [" ", "\t", "  ", "\r"][random.below(4)] }
        }
        return out
    }
}
