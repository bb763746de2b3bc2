import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Checks a collect store against its seals: every sealed day's file is there and unchanged,
/// the seals form one unbroken chain, and no segment is there that no seal accounts for.
public enum StoreVerifier {
    public struct Outcome: Sendable {
        /// Things that are wrong: a changed, missing or unsealed file, a broken chain.
        public var problems: [String] = []
        /// Things worth knowing that are not wrong (open days, removals by the retention).
        public var notes: [String] = []
        public var sealedDays = 0
        public var sealedEvents = 0
        /// The last seal: write it down elsewhere, so removing the newest days shows too.
        public var head: StoreSeals.Seal?
        public var isIntact: Bool { problems.isEmpty }
    }

    public static func verify(directory: String, today: StoreLayout.Day = StoreLayout.Day(Timestamp.now)) throws -> Outcome {
        let layout = StoreLayout(directory: directory)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: layout.directory, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError.unusable(path: layout.directory, reason: "no such folder")
        }
        let entries = try StoreSeals(layout: layout).entries()
        var outcome = Outcome()
        for (line, problem) in entries.unreadable {
            outcome.problems.append("\(layout.sealsFile):\(line): \(problem)")
        }
        let removals = Dictionary(entries.removals.map { ($0.day, $0) }, uniquingKeysWith: { a, _ in a })
        var previous = StoreSeals.genesis
        var sealed = Set<StoreLayout.Day>()
        for seal in entries.seals {
            let path = "\(layout.directory)/\(seal.file)"
            if seal.previous != previous {
                outcome.problems.append("\(seal.day): out of chain: its seal does not follow the one before (a seal was removed, added or reordered)")
            }
            if seal.computed != seal.seal {
                outcome.problems.append("\(seal.day): its seal does not match its own entry (the entry was changed)")
            }
            if seal.file != layout.relativeStem(seal.day) + ".jsonl.gz" {
                outcome.problems.append("\(seal.day): the seal names the file \(seal.file), not the day's")
            }
            previous = seal.seal
            if sealed.contains(seal.day) { outcome.problems.append("\(seal.day): sealed twice") }
            sealed.insert(seal.day)
            if let removal = removals[seal.day] {
                if access(path, F_OK) == 0 {
                    outcome.problems.append("\(path): recorded as removed on \(removal.removedAt.prefix(10)) but there")
                } else {
                    outcome.notes.append("\(seal.day): removed by the \(removal.reason) on \(removal.removedAt.prefix(10))")
                }
                continue
            }
            guard access(path, F_OK) == 0 else {
                outcome.problems.append("\(path): missing (sealed on \(seal.sealedAt.prefix(10)) with \(seal.events) events)")
                continue
            }
            do {
                let digest = try SHA256.file(path).digest
                if digest != seal.sha256 {
                    outcome.problems.append("\(path): changed since it was sealed (SHA-256 \(digest.prefix(12))…, sealed \(seal.sha256.prefix(12))…)")
                    continue
                }
            } catch {
                outcome.problems.append("\(path): cannot be read: \(error)")
                continue
            }
            outcome.sealedDays += 1
            outcome.sealedEvents += seal.events
        }
        outcome.head = entries.seals.last
        for segment in layout.segments() {
            if segment.sealed {
                if !sealed.contains(segment.day) {
                    outcome.problems.append("\(segment.path): no seal accounts for this file (it was added outside the server)")
                }
            } else if sealed.contains(segment.day) {
                outcome.problems.append("\(segment.path): an open segment for a day already sealed")
            } else if segment.day < today {
                outcome.notes.append("\(segment.path): not sealed yet (the collect server seals it when it next runs)")
            } else {
                outcome.notes.append("\(segment.path): open (today)")
            }
        }
        return outcome
    }
}
