import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the collect store keeps what: one segment per UTC day, `YYYY/MM/DD.jsonl` while the
/// day is open and `YYYY/MM/DD.jsonl.gz` once sealed, and the chain of seals in `seals.jsonl`.
public struct StoreLayout: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
    }

    /// A UTC day, as days since 1970-01-01.
    public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
        public var number: Int
        public init(number: Int) { self.number = number }
        public init(_ timestamp: Timestamp) { number = Int(floorDiv(timestamp.seconds, 86_400)) }
        public init(year: Int, month: Int, day: Int) { number = Timestamp.daysFromCivil(year: year, month: month, day: day) }
        public static func < (a: Day, b: Day) -> Bool { a.number < b.number }
        public var civil: (year: Int, month: Int, day: Int) { Timestamp.civilFromDays(number) }
        /// `YYYY-MM-DD`.
        public var description: String {
            let c = civil
            return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
        }
        public static func + (day: Day, n: Int) -> Day { Day(number: day.number + n) }
        public static func - (day: Day, n: Int) -> Day { Day(number: day.number - n) }

        /// Parses `YYYY-MM-DD`.
        public init?(parsing text: String) {
            let parts = text.split(separator: "-")
            guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
                (1...12).contains(m), d >= 1, d <= Timestamp.daysInMonth(year: y, month: m)
            else { return nil }
            self.init(year: y, month: m, day: d)
        }
    }

    /// `YYYY/MM/DD` of a day's segment, relative to the store.
    public func relativeStem(_ day: Day) -> String {
        let c = day.civil
        return "\(pad(c.year, 4))/\(pad(c.month, 2))/\(pad(c.day, 2))"
    }

    public func openSegment(_ day: Day) -> String { "\(directory)/\(relativeStem(day)).jsonl" }
    public func sealedSegment(_ day: Day) -> String { "\(directory)/\(relativeStem(day)).jsonl.gz" }
    public var sealsFile: String { "\(directory)/seals.jsonl" }
    public var lockFile: String { "\(directory)/.lock" }

    /// Every segment file in the store: the day, and whether it is sealed (compressed).
    public func segments() -> [(day: Day, sealed: Bool, path: String)] {
        var found: [(day: Day, sealed: Bool, path: String)] = []
        let fm = FileManager.default
        for year in ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted() where year.count == 4 && Int(year) != nil {
            for month in ((try? fm.contentsOfDirectory(atPath: "\(directory)/\(year)")) ?? []).sorted() where month.count == 2 && Int(month) != nil {
                for name in ((try? fm.contentsOfDirectory(atPath: "\(directory)/\(year)/\(month)")) ?? []).sorted() {
                    let sealed = name.hasSuffix(".jsonl.gz")
                    guard sealed || name.hasSuffix(".jsonl") else { continue }
                    let dayText = name.prefix { $0 != "." }
                    guard dayText.count == 2, let day = Day(parsing: "\(year)-\(month)-\(dayText)") else { continue }
                    found.append((day, sealed, "\(directory)/\(year)/\(month)/\(name)"))
                }
            }
        }
        return found.sorted { ($0.day, $0.sealed ? 1 : 0) < ($1.day, $1.sealed ? 1 : 0) }
    }

    /// The segments that can hold events of `from...to` (UTC days): the events of a day arrive
    /// that day or, when Notion retries, up to a day later; a day is added each side for
    /// clocks and time zones.
    public func segments(from: Day, to: Day) -> [String] {
        var byDay: [Day: String] = [:]
        for segment in segments() where segment.day >= from - 1 && segment.day <= to + 2 {
            // A day both open and sealed is a seal interrupted before the open file was removed;
            // the sealed file holds the same lines.
            if byDay[segment.day] == nil || segment.sealed { byDay[segment.day] = segment.path }
        }
        return byDay.keys.sorted().map { byDay[$0]! }
    }
}

/// fsync of files and folders, for the store's durability promises.
enum Durable {
    /// Flushes an open file to disk (data and the size).
    static func sync(_ fd: Int32) -> Bool {
        while fsync(fd) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }

    /// Flushes a folder, so an entry created, renamed or removed in it is on disk.
    @discardableResult
    static func syncDirectory(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return sync(fd)
    }

    /// Flushes a file by path.
    static func syncFile(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return sync(fd)
    }

    /// Creates a folder and its parents, flushing each new entry.
    static func makeDirectories(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw StoreError.unusable(path: path, reason: "not a folder")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o750) != 0 && errno != EEXIST { throw StoreError.unusable(path: path, reason: ByteStream.errnoText()) }
        syncDirectory(parent.isEmpty ? "." : parent)
    }
}

public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The store cannot be used at all (no folder, no permission, in use).
    case unusable(path: String, reason: String)
    /// A write or fsync failed; nothing of the request is kept.
    case writeFailed(path: String, reason: String)
    /// Less free space than the server keeps in reserve.
    case full(path: String, freeBytes: Int64, reserve: Int64)
    /// The server is shutting down.
    case closed

    public var description: String {
        switch self {
        case .unusable(let path, let reason): return "error: \(path): the store cannot be used: \(reason)"
        case .writeFailed(let path, let reason): return "error: \(path): write failed: \(reason)"
        case .full(let path, let free, let reserve): return "error: \(path): only \(free) bytes free, \(reserve) kept in reserve"
        case .closed: return "error: the store is closed"
        }
    }
}


extension Timestamp {
    /// The current time, to the millisecond.
    public static var now: Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
