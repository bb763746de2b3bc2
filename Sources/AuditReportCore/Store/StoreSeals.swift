import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The seals of a collect store: when a day is over its segment is compressed and its SHA-256
/// written to `seals.jsonl`, chained to the seal before it, so a changed, removed or reordered
/// day shows. Removals by the retention are recorded in the same file.
public struct StoreSeals: Sendable {
    public let layout: StoreLayout
    public static let genesis = String(repeating: "0", count: 64)

    public struct Seal: Equatable, Sendable {
        public var day: StoreLayout.Day
        /// The sealed file, relative to the store.
        public var file: String
        public var events: Int
        /// Bytes of the uncompressed segment.
        public var bytes: Int64
        /// SHA-256 of the sealed (compressed) file.
        public var sha256: String
        /// The seal before this one (`genesis` for the first).
        public var previous: String
        public var sealedAt: String
        /// SHA-256 over all of the above.
        public var seal: String

        var computed: String {
            var hash = SHA256()
            hash.update(Array("audit-report store seal v1\n\(day)\n\(file)\n\(events)\n\(bytes)\n\(sha256)\n\(previous)\n\(sealedAt)\n".utf8))
            return hash.finish()
        }

        var line: String {
            "{\"day\":\"\(day)\",\"file\":\"\(file)\",\"events\":\(events),\"bytes\":\(bytes),\"sha256\":\"\(sha256)\",\"previous\":\"\(previous)\",\"sealed_at\":\"\(sealedAt)\",\"seal\":\"\(seal)\"}\n"
        }
    }

    public struct Removal: Equatable, Sendable {
        public var day: StoreLayout.Day
        public var file: String
        public var reason: String
        public var removedAt: String
    }

    public struct Entries: Sendable {
        public var seals: [Seal] = []
        public var removals: [Removal] = []
        /// Lines of `seals.jsonl` that are neither (line number and why).
        public var unreadable: [(line: Int, problem: String)] = []
    }

    /// Reads `seals.jsonl` (empty when there is none yet).
    public func entries() throws -> Entries {
        var entries = Entries()
        guard let data = FileManager.default.contents(atPath: layout.sealsFile) else {
            if access(layout.sealsFile, F_OK) == 0 { throw StoreError.unusable(path: layout.sealsFile, reason: "cannot be read") }
            return entries
        }
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let number = index + 1
            guard let value = try? JSONParser.parse(String(decoding: line, as: UTF8.self), path: layout.sealsFile, line: number),
                let object = value.objectValue
            else {
                entries.unreadable.append((number, "not JSON"))
                continue
            }
            func text(_ key: String) -> String? { object[key]?.scalarText }
            if let removed = text("removed"), let day = StoreLayout.Day(parsing: removed) {
                entries.removals.append(Removal(day: day, file: text("file") ?? "", reason: text("reason") ?? "", removedAt: text("removed_at") ?? ""))
                continue
            }
            guard let dayText = text("day"), let day = StoreLayout.Day(parsing: dayText), let file = text("file"),
                let events = text("events").flatMap({ Int($0) }), let bytes = text("bytes").flatMap({ Int64($0) }),
                let sha = text("sha256"), let previous = text("previous"), let seal = text("seal")
            else {
                entries.unreadable.append((number, "not a seal: a member is missing"))
                continue
            }
            entries.seals.append(Seal(day: day, file: file, events: events, bytes: bytes, sha256: sha, previous: previous, sealedAt: text("sealed_at") ?? "", seal: seal))
        }
        return entries
    }

    /// Compresses and seals the open segment of `day`, then removes the open file. Picks up a
    /// seal that a crash interrupted.
    /// - Returns: what was done, for the log.
    public func seal(_ day: StoreLayout.Day, at now: Timestamp) throws -> String? {
        let openPath = layout.openSegment(day)
        let sealedPath = layout.sealedSegment(day)
        let folder = (openPath as NSString).deletingLastPathComponent
        let existing = try entries()
        if existing.seals.contains(where: { $0.day == day }) {
            // Sealed before a crash removed the open file.
            if access(openPath, F_OK) == 0, access(sealedPath, F_OK) == 0 {
                unlink(openPath)
                Durable.syncDirectory(folder)
                return "\(openPath): removed, the day was already sealed"
            }
            return nil
        }
        _ = EventStore.cutTornTail(openPath)
        let partial = sealedPath + ".partial"
        let input = open(openPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw StoreError.writeFailed(path: openPath, reason: ByteStream.errnoText()) }
        defer { close(input) }
        let gzip = try GzipWriter(file: try OutputFile(path: partial))
        var events = 0
        var bytes: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = ByteStream.errnoText()
                unlink(partial)
                throw StoreError.writeFailed(path: openPath, reason: reason)
            }
            if n == 0 { break }
            bytes += Int64(n)
            for i in 0..<n where buffer[i] == 0x0A { events += 1 }
            buffer.withUnsafeBytes { gzip.write(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        do {
            try gzip.close()
        } catch {
            unlink(partial)
            throw error
        }
        TemporaryFiles.unregister(partial)
        guard Durable.syncFile(partial), rename(partial, sealedPath) == 0 else {
            let reason = ByteStream.errnoText()
            unlink(partial)
            throw StoreError.writeFailed(path: sealedPath, reason: reason)
        }
        Durable.syncDirectory(folder)
        let digest = try SHA256.file(sealedPath).digest
        var seal = Seal(day: day, file: layout.relativeStem(day) + ".jsonl.gz", events: events, bytes: bytes, sha256: digest,
                        previous: existing.seals.last?.seal ?? Self.genesis, sealedAt: now.description, seal: "")
        seal.seal = seal.computed
        try append(seal.line)
        unlink(openPath)
        Durable.syncDirectory(folder)
        return "\(sealedPath): sealed \(events) event\(events == 1 ? "" : "s") of \(day)"
    }

    /// Removes the sealed files of days before `day` (the retention), recording each removal.
    public func remove(before day: StoreLayout.Day, at now: Timestamp) throws -> [String] {
        var notes: [String] = []
        let existing = try entries()
        let removed = Set(existing.removals.map(\.day))
        for seal in existing.seals where seal.day < day && !removed.contains(seal.day) {
            let path = "\(layout.directory)/\(seal.file)"
            try append("{\"removed\":\"\(seal.day)\",\"file\":\"\(seal.file)\",\"reason\":\"retention\",\"removed_at\":\"\(now)\"}\n")
            unlink(path)
            Durable.syncDirectory((path as NSString).deletingLastPathComponent)
            notes.append("\(path): removed by the retention")
        }
        return notes
    }

    private func append(_ line: String) throws {
        let existed = access(layout.sealsFile, F_OK) == 0
        let fd = open(layout.sealsFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw StoreError.writeFailed(path: layout.sealsFile, reason: ByteStream.errnoText()) }
        defer { close(fd) }
        var size = stat()
        fstat(fd, &size)
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, Durable.sync(fd) else {
            let reason = ByteStream.errnoText()
            _ = ftruncate(fd, size.st_size)
            throw StoreError.writeFailed(path: layout.sealsFile, reason: reason)
        }
        if !existed { Durable.syncDirectory(layout.directory) }
    }
}
