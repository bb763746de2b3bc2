/// Eight bytes at a time: whether a word of input holds a given byte, or a byte below a bound.
/// The readers' scanning loops test each byte against three or four values; on a word that
/// holds none of them (most words of a cell or a JSON string) they take eight bytes in one step
/// and test byte by byte only where something is. The tests are the classic ones: a nonzero
/// result is exact as a yes-or-no answer (which byte it marks is not used).
enum ByteWord {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Nonzero when some byte of `w` is zero.
    @inline(__always)
    static func zero(_ w: UInt64) -> UInt64 { (w &- ones) & ~w & highs }

    /// Nonzero when some byte of `w` is `byte`.
    @inline(__always)
    static func has(_ w: UInt64, _ byte: UInt8) -> UInt64 { zero(w ^ (ones &* UInt64(byte))) }

    /// Nonzero when some byte of `w` is below `bound` (at most 128).
    @inline(__always)
    static func below(_ w: UInt64, _ bound: UInt8) -> UInt64 { (w &- ones &* UInt64(bound)) & ~w & highs }

    /// Nonzero when some byte of `w`, all of whose bytes are ASCII, is a capital (`A`…`Z`): adding
    /// 0x80 − 0x41 sets a byte's high bit from `A` up, adding 0x80 − 0x5B from past `Z` (no sum
    /// carries into the next byte while every byte is below 0x80).
    @inline(__always)
    static func capitals(_ w: UInt64) -> UInt64 {
        (w &+ ones &* 0x3F) & ~(w &+ ones &* 0x25) & highs
    }

    /// Whether every byte of `bytes` is ASCII, eight at a time.
    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        var all: UInt64 = 0
        var i = 0
        while i + 8 <= n {
            all |= load(base, i)
            i += 8
        }
        while i < n {
            all |= UInt64(base[i])
            i += 1
        }
        return all & highs == 0
    }

    /// The eight bytes at `offset`.
    @inline(__always)
    static func load(_ base: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
        UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
    }
}
