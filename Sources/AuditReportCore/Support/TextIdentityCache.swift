/// A value remembered per text (or pair of texts), found by the texts' identity rather than
/// their bytes: two Strings with the same two words of representation hold the same text (the
/// same storage, or the same inline bytes of a text of up to 15 bytes). The merge's decoder
/// shares recurring texts (`StringInterner`), so an event's key, e-mail, page id or platform
/// mostly comes as a String seen before, and a look-up here costs a few multiplies and compares
/// where a dictionary hashes every byte (a tenth of the counting thread's time had been
/// hashing such texts).
///
/// A miss says nothing: the caller then asks its dictionary and remembers the answer. Each slot
/// keeps its texts alive, so their storage cannot be reused for other texts while they are
/// there. Memory is the table's, whatever the run.
struct TextIdentityCache<Value> {
    typealias Bits = (UInt64, UInt64, UInt64, UInt64)
    /// Each slot's texts' representation (compared), and the texts themselves (kept alive).
    private var keys: [Bits]
    private var texts: [(String, String)]
    private var values: [Value?]
    private let shift: UInt64

    /// - Parameter slots: a power of two.
    init(slots: Int = 1 << 10) {
        precondition(slots > 1 && slots & (slots - 1) == 0)
        texts = [(String, String)](repeating: ("", ""), count: slots)
        keys = [Bits](repeating: Self.bits("", ""), count: slots)
        values = [Value?](repeating: nil, count: slots)
        shift = UInt64(64 - slots.trailingZeroBitCount)
    }

    @inline(__always)
    private static func bits(_ a: String, _ b: String) -> Bits {
        let x = unsafeBitCast(a, to: (UInt64, UInt64).self), y = unsafeBitCast(b, to: (UInt64, UInt64).self)
        return (x.0, x.1, y.0, y.1)
    }

    @inline(__always)
    private func slot(_ b: Bits) -> Int {
        let mixed = (b.0 &* 0x9E37_79B9_7F4A_7C15) ^ (b.1 &* 0xC2B2_AE3D_27D4_EB4F) ^ (b.2 &* 0x1656_67B1_9E37_79F9) ^ (b.3 &* 0x27D4_EB2F_1656_67C5)
        return Int(truncatingIfNeeded: mixed >> shift)
    }

    /// The value remembered for this very text, or nil.
    @inline(__always)
    func value(_ text: String) -> Value? { value(text, "") }

    /// Remembers `value` for `text`, in place of what its slot held.
    @inline(__always)
    mutating func remember(_ text: String, _ value: Value) { remember(text, "", value) }

    /// The value remembered for this very pair of texts, or nil.
    @inline(__always)
    func value(_ text: String, _ second: String) -> Value? {
        let b = Self.bits(text, second)
        let i = slot(b)
        let k = keys[i]
        return k.0 == b.0 && k.1 == b.1 && k.2 == b.2 && k.3 == b.3 ? values[i] : nil
    }

    /// Remembers `value` for the pair, in place of what its slot held.
    @inline(__always)
    mutating func remember(_ text: String, _ second: String, _ value: Value) {
        let b = Self.bits(text, second)
        let i = slot(b)
        keys[i] = b
        texts[i] = (text, second)
        values[i] = value
    }
}
