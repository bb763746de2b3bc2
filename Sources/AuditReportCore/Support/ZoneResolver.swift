import Foundation

/// Converts between UTC instants and wall-clock times of one IANA zone, per value (so a month
/// with a daylight-saving change is right on both sides of it), caching offsets per quarter hour.
///
/// Not thread-safe: each thread uses its own.
public final class ZoneResolver {
    public let timeZone: TimeZone
    /// Offsets by quarter hour, each in the entry its number modulo the table's size picks (six
    /// weeks of quarter hours without two sharing one). As a dictionary, hashing each look-up
    /// had been 1.5% of a dry run: a CSV row's time takes five.
    private let cache: UnsafeMutablePointer<(slot: Int64, offset: Int)>
    private static let cacheSize = 4096
    private static let empty = Int64.min

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        cache = .allocate(capacity: Self.cacheSize)
        cache.initialize(repeating: (Self.empty, 0), count: Self.cacheSize)
    }

    deinit {
        cache.deinitialize(count: Self.cacheSize)
        cache.deallocate()
    }

    /// Whether a zone is UTC under one of its names (Foundation on Linux calls it GMT or Etc/UTC).
    public static func isUTC(_ zone: TimeZone) -> Bool {
        ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu", "UCT", "Etc/UCT"].contains(zone.identifier)
    }

    /// A zone's name for messages: its IANA identifier, or UTC for every name of UTC.
    public static func name(_ zone: TimeZone) -> String { isUTC(zone) ? "UTC" : zone.identifier }

    /// The zone's offset from UTC at `timestamp`, in seconds.
    public func offsetSeconds(at timestamp: Timestamp) -> Int {
        let slot = floorDiv(timestamp.milliseconds, 900_000)
        let entry = cache + Int(slot & Int64(Self.cacheSize - 1))
        if entry.pointee.slot == slot { return entry.pointee.offset }
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(slot * 900)))
        entry.pointee = (slot, offset)
        return offset
    }

    /// The wall-clock fields of `timestamp` in the zone.
    public func civil(_ timestamp: Timestamp) -> CivilDateTime {
        timestamp.civil(offsetSeconds: offsetSeconds(at: timestamp))
    }

    /// The instant of a wall-clock time: in a repeated hour (autumn) the first of the two, in a
    /// skipped hour (spring) the time moved forward by the gap.
    public func instant(ofLocal c: CivilDateTime) -> Timestamp {
        let asUTC = Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, millisecond: c.millisecond)
        // Try the offsets in force a day before and a day after; keep the one that round-trips.
        let before = offsetSeconds(at: Timestamp(milliseconds: asUTC.milliseconds - 86_400_000))
        let after = offsetSeconds(at: Timestamp(milliseconds: asUTC.milliseconds + 86_400_000))
        for offset in [max(before, after), min(before, after)] {
            let candidate = Timestamp(milliseconds: asUTC.milliseconds - Int64(offset) * 1000)
            if offsetSeconds(at: candidate) == offset { return candidate }
        }
        // In a gap: neither round-trips; use the offset before the change (moves the time forward).
        return Timestamp(milliseconds: asUTC.milliseconds - Int64(before) * 1000)
    }

    /// The second instant of a wall-clock time in the hour repeated when daylight saving ends
    /// (`instant(ofLocal:)` gives the first); nil for any other time.
    public func laterInstant(ofLocal c: CivilDateTime) -> Timestamp? {
        let asUTC = Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, millisecond: c.millisecond)
        let before = offsetSeconds(at: Timestamp(milliseconds: asUTC.milliseconds - 86_400_000))
        let after = offsetSeconds(at: Timestamp(milliseconds: asUTC.milliseconds + 86_400_000))
        guard before != after else { return nil }
        let earlier = Timestamp(milliseconds: asUTC.milliseconds - Int64(max(before, after)) * 1000)
        let later = Timestamp(milliseconds: asUTC.milliseconds - Int64(min(before, after)) * 1000)
        guard offsetSeconds(at: earlier) == max(before, after), offsetSeconds(at: later) == min(before, after) else { return nil }
        return later
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (what CSV cells carry by accident); cheaper
    /// than Foundation's `trimmingCharacters(in:)` on the per-row path.
    func trimmingSpaces() -> String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return self }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)] == 0x20 || utf8[utf8.index(before: end)] == 0x09 { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}

extension String {
    /// Whether the ASCII text `part` occurs in this text, found among its UTF-8 bytes.
    /// `contains(_:)` on two Strings goes through Foundation's `range(of:)`, a few thousand
    /// instructions a call; the findings ask this of every event they look at.
    func containsASCII(_ part: StaticString) -> Bool {
        let n = part.utf8CodeUnitCount
        guard n > 0 else { return true }
        var text = self
        return text.withUTF8 { bytes in
            guard bytes.count >= n else { return false }
            let first = part.utf8Start.pointee
            for i in 0...(bytes.count - n) where bytes[i] == first && memcmp(bytes.baseAddress! + i, part.utf8Start, n) == 0 { return true }
            return false
        }
    }
}
