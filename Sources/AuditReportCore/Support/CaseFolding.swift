import Foundation

extension String {
    /// Whether the two texts are equal ignoring case, as `caseInsensitiveCompare` decides. Two
    /// ASCII texts are compared byte by byte with their capitals folded; through Foundation each
    /// comparison had cost thousands of instructions, and the findings compare an event's actor
    /// type with each rule's excluded types.
    func equalsIgnoringCase(_ other: String) -> Bool {
        let ascii: Bool? = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b -> Bool? in
                guard a.count == b.count else {
                    // Texts of other lengths may still fold equal past ASCII.
                    return ByteWord.isASCII(a) && ByteWord.isASCII(b) ? false : nil
                }
                for i in 0..<a.count {
                    let x = a[i], y = b[i]
                    if x >= 0x80 || y >= 0x80 { return nil }
                    if x == y { continue }
                    if x | 0x20 != y | 0x20 || !(0x61...0x7A).contains(x | 0x20) { return false }
                }
                return true
            } ?? nil
        } ?? nil
        if let ascii { return ascii }
        return caseInsensitiveCompare(other) == .orderedSame
    }
}
