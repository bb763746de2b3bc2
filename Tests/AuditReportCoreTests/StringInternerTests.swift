import Foundation
import Testing

@testable import AuditReportCore

/// The table of shared texts the readers and the spool make recurring texts through: whatever
/// meets whatever in a slot, each text returned is its bytes' text.
@Suite struct StringInternerTests {
    func valid(_ strings: StringInterner, _ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { strings.validString($0) }
    }

    func storage(_ s: String) -> UnsafeRawPointer? {
        var s = s
        return s.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func aRecurringTextIsMadeOnceAndShared() {
        let strings = StringInterner()
        let text = "anna.mueller@example-company.de"
        let first = valid(strings, Array(text.utf8))
        let second = valid(strings, Array(text.utf8))
        #expect(first == text && second == text)
        // The same storage, not a second copy.
        #expect(storage(first!) == storage(second!))
    }

    @Test func invalidUTF8IsNilAndNeverStored() {
        let strings = StringInterner(slots: 1)
        let bad: [UInt8] = Array("Seite mit kaputtem ".utf8) + [0xC3, 0x28, 0xFF]
        #expect(valid(strings, bad) == nil)
        #expect(valid(strings, bad) == nil)
        // Bytes equal to a valid text's come back as that text; the invalid ones never did.
        let good = "Seite mit kaputtem Zeichen ü"
        #expect(valid(strings, Array(good.utf8)) == good)
        #expect(valid(strings, bad) == nil)
        #expect(valid(strings, Array(good.utf8)) == good)
    }

    @Test func textsMeetingInOneSlotStayTheirOwn() {
        var random = SampleRandom(seed: 5)
        let pool = (0..<40).map { i -> [UInt8] in
            switch i % 4 {
            case 0: return Array("person.\(i)@long-domain.example.com".utf8)
            case 1: return Array("Übersicht Kundenliste \(i) – München".utf8)
            // Same length and nearly the same bytes as another text.
            case 2: return Array("person.\(i - 2)@long-domain.example.con".utf8)
            default: return Array("bad \(i) tail of sixteen".utf8) + [0xFF]
            }
        }
        for slots in [1, 4, 64] {
            let strings = StringInterner(slots: slots)
            for _ in 0..<2_000 {
                let bytes = pool[random.below(pool.count)]
                let expected = String(validating: bytes, as: UTF8.self)
                #expect(valid(strings, bytes) == expected)
                if let expected {
                    #expect(bytes.withUnsafeBytes { strings.string($0) } == expected)
                }
            }
        }
    }

    /// `containsASCII` finds what `contains` finds: at the start, the end, across a near miss,
    /// in text with letters past ASCII, in long shared texts and short inline ones.
    @Test func containsASCIIFindsWhatContainsFinds() {
        let texts = ["", "s", ".settings", ".settings.", "workspace.settings.updated", "a..settings.x", "..settings.settings.",
                     "Übersicht.settings.München", "workspace.setting.updated", "integration", "page.integration_added", "guest.added",
                     String(repeating: "x.settings", count: 40) + ".", "integratio", "Integration", "ÜÜintegration"]
        for text in texts {
            #expect(text.containsASCII(".settings.") == text.contains(".settings."), "\(text)")
            #expect(text.containsASCII("integration") == text.contains("integration"), "\(text)")
            #expect(text.containsASCII("s") == text.contains("s"), "\(text)")
        }
    }
}
