import Foundation

/// Texts that recur across events (e-mails, names, cities, page ids and names, workspaces): a
/// small table of the last text seen per hash slot, so a recurring text's storage is made once
/// and shared, not allocated, copied, checked as UTF-8 and freed again for every event. The
/// readers make their cells' texts through one (each reader its own: it is not thread-safe), and
/// the spool's decoding through another. A text that meets another in its slot replaces it;
/// memory is the table's, whatever the run.
///
/// Texts of up to 15 bytes live inline in a `String`, with nothing to share: callers pass longer
/// ones (`worthSharing`) and short ones that are not ASCII (met again, their UTF-8 needs no
/// checking, which costs more than the look-up) to `validString`, and short ASCII ones to
/// `shortASCII`, a table of its own that saves making them.
final class StringInterner {
    /// Per slot, its text and the text's hash (most texts that are not the slot's differ in it,
    /// so their bytes need no comparing).
    private var slots: [(hash: UInt64, text: String)]
    private let mask: Int
    /// Short ASCII texts by their bytes as two words (see `shortASCII`), in memory of their own:
    /// read through an array property, each look-up had its exclusivity checked and its buffer
    /// retained.
    private let short: UnsafeMutablePointer<(UInt64, UInt64, String)>
    private let shortMask: Int

    /// - Parameter slots: a power of two.
    init(slots: Int = 1 << 13) {
        self.slots = [(hash: UInt64, text: String)](repeating: (0, ""), count: slots)
        mask = slots - 1
        short = .allocate(capacity: slots)
        // Two zero words are the empty text's: no slot holds anything else before it is filled.
        short.initialize(repeating: (0, 0, ""), count: slots)
        shortMask = slots - 1
    }

    deinit {
        short.deinitialize(count: shortMask + 1)
        short.deallocate()
    }

    /// The text of up to 15 ASCII `bytes`. Such a text lives inline in a `String`, so there is
    /// nothing to share, but making it (`String(decoding:as:)`) costs several times a look-up
    /// by its bytes taken as two words, which recurring cells (roles, platforms, places,
    /// addresses) mostly hit.
    @inline(__always)
    func shortASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        assert(bytes.count <= 15)
        var words: (UInt64, UInt64) = (0, 0)
        if let base = bytes.baseAddress {
            withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
        }
        // The sixteenth byte (never one of the text's) tells "a" from "a\0".
        words.1 |= UInt64(bytes.count) << 56
        var hash = (words.0 &* 0x9E37_79B9_7F4A_7C15) ^ (words.1 &* 0xFF51_AFD7_ED55_8CCD)
        hash ^= hash >> 29
        let slot = short + (Int(truncatingIfNeeded: hash) & shortMask)
        if slot.pointee.0 == words.0 && slot.pointee.1 == words.1 { return slot.pointee.2 }
        let text = String(decoding: bytes, as: UTF8.self)
        slot.pointee = (words.0, words.1, text)
        return text
    }

    /// Whether a text of `count` bytes is stored outside the `String` (and so worth sharing).
    @inline(__always)
    static func worthSharing(_ count: Int) -> Bool { count > 15 }

    /// The text of valid UTF-8 `bytes` (as the spool wrote them).
    func string(_ bytes: UnsafeRawBufferPointer) -> String {
        let hash = Self.hash(bytes)
        let slot = Int(truncatingIfNeeded: hash) & mask
        if let known = match(slot, hash, bytes) { return known }
        let text = String(decoding: bytes.bindMemory(to: UInt8.self), as: UTF8.self)
        slots[slot] = (hash, text)
        return text
    }

    /// The text of `bytes`, or nil when they are not valid UTF-8 (a reader's cell). A text met
    /// before is returned without checking its bytes again: they equal those of a valid one.
    /// - Parameter ascii: whether the bytes are known to be ASCII (and so valid).
    func validString(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool? = nil) -> String? {
        let raw = UnsafeRawBufferPointer(bytes)
        let hash = Self.hash(raw)
        let slot = Int(truncatingIfNeeded: hash) & mask
        if let known = match(slot, hash, raw) { return known }
        // ASCII (most cells) is valid UTF-8: take the fast decoding path.
        let isASCII = ascii ?? !bytes.contains(where: { $0 >= 0x80 })
        let text = isASCII ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
        if let text { slots[slot] = (hash, text) }
        return text
    }

    /// The slot's text when its bytes are `bytes`.
    @inline(__always)
    private func match(_ slot: Int, _ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> String? {
        guard slots[slot].hash == hash else { return nil }
        let known = slots[slot].text
        guard known.utf8.count == bytes.count,
            known.utf8.withContiguousStorageIfAvailable({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) == true
        else { return nil }
        return known
    }

    /// A hash of `bytes` eight at a time (a byte at a time, FNV-1a had been half of this type's
    /// cost); only a slot is chosen with it, so it need not be strong.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            i += 8
        }
        if i < n {
            var word: UInt64 = 0
            if n >= 8 {
                // The last eight bytes, overlapping those already taken.
                word = bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            } else {
                for j in i..<n { word |= UInt64(bytes[j]) << UInt64(8 * (j - i)) }
            }
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
        }
        return hash ^ (hash >> 29)
    }
}
