import Foundation
import Testing

@testable import AuditReportCore

/// Bounded random tests of the parsers: whatever the input, they end with a value or a clear
/// error; what the tool writes, it reads back unchanged.
@Suite struct PropertyTests {
    static let alphabet: [String] = ["a", "Z", "0", ",", ";", "\t", "\"", "\n", "\r", "\r\n", " ", "ü", "🚀", "=", "{", "}", "[", "]", ":", "\\", "\u{0}", "x"]

    func randomText(_ r: inout SampleRandom, maxLength: Int) -> String {
        (0..<r.below(maxLength + 1)).map { _ in r.pick(Self.alphabet) }.joined()
    }

    @Test func csvFieldsWrittenByTheWriterReadBackUnchanged() throws {
        var r = SampleRandom(seed: 42)
        for _ in 0..<300 {
            let rows = (0..<(1 + r.below(5))).map { _ in (0..<4).map { _ in randomText(&r, maxLength: 12).replacingOccurrences(of: "\u{0}", with: "") } }
            let path = TestSupport.temporaryDirectory().appendingPathComponent("p.csv").path
            let file = try OutputFile(path: path)
            let dialect: CSVDialect = r.chance(0.5) ? .rfc4180 : .excelDE
            let writer = CSVWriter(file: file, dialect: dialect)
            for row in rows { writer.row(row) }
            try file.close()
            let reader = try ByteReader(stream: ByteStream(path: path))
            let tokenizer = CSVTokenizer(reader: reader, delimiter: dialect.delimiter)
            var record = CSVRecord()
            var read: [[String]] = []
            while try tokenizer.next(into: &record) { read.append((0..<record.count).map { record.repairedString($0) }) }
            #expect(read == rows.map { $0.map(CSVWriter.neutralize) })
        }
    }

    @Test func randomBytesNeverCrashTheReaders() throws {
        var r = SampleRandom(seed: 7)
        for i in 0..<400 {
            var bytes = Array(randomText(&r, maxLength: 60).utf8)
            if i % 3 == 0 { bytes = Array("Date,Event\n".utf8) + bytes }
            if i % 3 == 1 { bytes = Array("{\"type\":\"x.y\",\"timestamp\":".utf8) + bytes }
            if r.chance(0.2) { bytes.append(UInt8(r.below(256))) }
            let path = TestSupport.file("fuzz.dat", bytes)
            do {
                _ = try TestSupport.read(path: path)
            } catch is ReadError {
                // A clear error is a fine outcome.
            }
        }
    }

    @Test func jsonTextOfAValueParsesToTheSameValue() throws {
        var r = SampleRandom(seed: 9)
        func value(_ depth: Int) -> JSONValue {
            switch r.below(depth > 3 ? 4 : 6) {
            case 0: return .null
            case 1: return .bool(r.chance(0.5))
            case 2: return .number(String(r.below(100_000) - 50_000))
            case 3: return .string(randomText(&r, maxLength: 8))
            case 4: return .array((0..<r.below(4)).map { _ in value(depth + 1) })
            default: return .object(JSONObject((0..<r.below(4)).map { i in .init(key: "k\(i)" + randomText(&r, maxLength: 3), value: value(depth + 1)) }))
            }
        }
        for _ in 0..<500 {
            let v = value(0)
            #expect(try JSONParser.parse(v.jsonText, path: "p", line: 1) == v)
        }
    }

    @Test func timestampsFormattedInEveryFormReadBackToTheSameInstant() throws {
        var r = SampleRandom(seed: 5)
        let en = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        for _ in 0..<500 {
            let t = Timestamp(milliseconds: Int64(r.below(4_000_000_000)) * 1000 + 946_684_800_000)
            #expect(TestSupport.ts(t.description) == t)
            for l in [en, de] {
                guard case .local(let c)? = TimestampParser.parse(l.dateTime(t)) else {
                    Issue.record("not parsed: \(l.dateTime(t))")
                    continue
                }
                #expect(Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second) == t)
            }
            let c = t.civil()
            #expect(TimestampParser.parse(Ticket.notionDate(c)) == .local(CivilDateTime(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: 0, millisecond: 0)))
        }
    }

    /// The byte-level fast forms (ISO 8601, the German and the English export) give what the
    /// general parser gives, for well-formed text and for text with one byte changed.
    @Test func fastTimestampFormsAgreeWithTheGeneralParser() {
        var r = SampleRandom(seed: 9)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let swaps: [UInt8] = Array("0123456789:-.,TZz+ APM".utf8) + [0xC3, 0x00]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        for _ in 0..<3000 {
            let y = 1890 + r.below(140), mo = 1 + r.below(13), d = 1 + r.below(32), h = r.below(25), mi = r.below(61), s = r.below(61)
            let fraction = r.chance(0.5) ? "" : "." + String(r.below(1_000_000_000)).prefix(1 + r.below(9))
            let zone = r.pick(["", "Z", "+02:00", "-05:30", "+0200", "z", " UTC", "+19:00"])
            let h12 = h % 12 == 0 ? 12 : h % 12
            var text = r.pick([
                "\(y)-\(two(mo))-\(two(d))\(r.pick(["T", " ", "t"]))\(two(h)):\(two(mi)):\(two(s))\(fraction)\(zone)",
                "\(two(d)).\(two(mo)).\(y) \(two(h)):\(two(mi)):\(two(s))",
                "\(months[(mo - 1) % 12]) \(d), \(y), \(h12):\(two(mi)):\(two(s)) \(r.pick(["AM", "PM", "am", "XM"]))",
            ])
            if r.chance(0.3) {
                var bytes = Array(text.utf8)
                bytes[r.below(bytes.count)] = r.pick(swaps)
                text = String(decoding: bytes, as: UTF8.self)
            }
            #expect(TimestampParser.parse(text) == TimestampParser.parseGeneral(text), "\(text)")
        }
    }
}
