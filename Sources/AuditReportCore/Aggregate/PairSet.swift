/// Pairs of small indices (an actor's and a page's) met so far: open addressing over one array
/// of words, found by a multiplicative hash. Each page had kept a `Set` of its actors and each
/// actor one of its pages, and the two inserts per event, hashed through `Hasher` and often
/// growing a small set, were a tenth of the counting thread's work.
struct PairSet {
    private static let empty = UInt64.max
    private var slots: [UInt64]
    private var shift: UInt64
    private(set) var count = 0

    init() {
        slots = [UInt64](repeating: Self.empty, count: 1 << 10)
        shift = 64 - 10
    }

    /// Adds the pair; whether it was new. Both indices are at least 0.
    @inline(__always)
    mutating func insert(_ a: Int32, _ b: Int32) -> Bool {
        // Two indices of -1 would make the empty slot's word.
        assert(a >= 0 && b >= 0, "pair indices are slots")
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let held = slots[i]
            if held == key { return false }
            if held == Self.empty { break }
            i = (i + 1) & mask
        }
        slots[i] = key
        count += 1
        // Up to three quarters full, 11 to 21 bytes a pair: up to half full (16 to 32) it held
        // 8 MB more than the sets it replaced at 1M events, now 3 MB more.
        if count * 4 > slots.count * 3 { grow() }
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: Self.empty, count: old.count * 2)
        shift -= 1
        let mask = slots.count - 1
        for key in old where key != Self.empty {
            var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while slots[i] != Self.empty { i = (i + 1) & mask }
            slots[i] = key
        }
    }
}
