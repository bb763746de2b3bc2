import Testing

@testable import AuditReportCore

/// The word-at-a-time byte tests the readers' scanning loops rely on agree, as yes-or-no answers,
/// with a test of each byte: on random words, on words made of the bytes around each bound, and
/// on words with borrows running through them.
@Suite struct ByteWordTests {
    func bytes(_ w: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) } }

    func check(_ w: UInt64) {
        let b = bytes(w)
        #expect((ByteWord.zero(w) != 0) == b.contains(0), "\(String(w, radix: 16))")
        for byte: UInt8 in [0x22, 0x5C, 0x0A, 0x0D, 0x2C, 0x3B, 0x09, 0x80, 0xFF] {
            #expect((ByteWord.has(w, byte) != 0) == b.contains(byte), "\(String(w, radix: 16)) \(byte)")
        }
        for bound: UInt8 in [0x01, 0x20, 0x21, 0x80] {
            #expect((ByteWord.below(w, bound) != 0) == b.contains { $0 < bound }, "\(String(w, radix: 16)) < \(bound)")
        }
    }

    @Test func wordTestsAgreeWithByteTests() {
        var random = SampleRandom(seed: 17)
        let near: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x2C, 0x3B, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0x81, 0xFE, 0xFF]
        for _ in 0..<20_000 {
            var w: UInt64 = 0
            for k in 0..<8 { w |= UInt64(near[random.below(near.count)]) << UInt64(8 * k) }
            check(w)
            let r = UInt64(random.below(1 << 30)) << 34 ^ UInt64(random.below(1 << 30)) << 4 ^ UInt64(random.below(16))
            check(r)
        }
        for w: UInt64 in [0, ~0, 0x0100_0000_0000_0000, 0x0000_0000_0000_0001, 0x2020_2020_2020_2020, 0x1F20_2020_2020_2020, 0x2020_2020_2020_201F, 0x8000_0000_0000_0000] {
            check(w)
        }
    }
}
