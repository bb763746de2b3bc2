import AuditReportCore
import Foundation
import FuzzDriver

// A whole input file through kind detection and the CSV, SIEM JSON (every wrapper shape) and
// ticket readers: events, warnings or a `ReadError`, never a crash. Each input is read twice:
// once plainly, once the way the report reads (SHA-256 taken while reading, and the zone
// inference's row filter turning down every zone-less row of an odd minute). The digest taken
// while reading must be the file's, and the filter may only take events away. JSON lines are
// read from the end too, and must give what reading forward gives.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let store = try! LocaleStore.load(from: root.appendingPathComponent("Locales"))
let path = "/dev/shm/audit-report-fuzz-\(getpid()).dat"

func read(filtered: Bool) -> (summary: ReadSummary?, events: Int) {
    var context = ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: DiagnosticsEngine())
    context.onTicket = { _ in }
    if filtered {
        context.hashesInput = true
        context.readsZoneLessRow = { $0.minute % 2 == 0 }
    }
    var events = 0
    do {
        let summary = try InputReader.read(path: path, context: context) { _ in events += 1 }
        return (summary, events)
    } catch is ReadError {
        return (nil, events)
    } catch {
        fatalError("unexpected error \(error)")
    }
}

/// Events and diagnostics read forward, and read from the end (the order put back), when the
/// file is JSON lines that can be: the same, or the forward read fails where the backward one
/// finds the file unfit.
func checkBackward() {
    guard InputReader.readsBackward(path: path, encoding: nil) else { return }
    func describe(_ e: AuditEvent) -> String { "\(e.timestamp.milliseconds) \(e.source.line) \(e.key) \(e.actor.email) \(e.target.id) \(e.details.count)" }
    let forwardEngine = DiagnosticsEngine(limitPerMessage: .max)
    var forward: [String] = []
    let forwardSummary = try? InputReader.read(path: path, context: ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: forwardEngine)) { forward.append(describe($0)) }
    let backwardEngine = DiagnosticsEngine(limitPerMessage: .max)
    var backward: [String] = []
    do {
        var context = ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: backwardEngine)
        context.hashesInput = true
        let summary = try InputReader.readBackward(path: path, context: context) { backward.append(describe($0)) }
        guard var forwardSummary else { fatalError("read from the end, not forward") }
        forwardSummary.sha256 = summary.sha256
        precondition(summary == forwardSummary, "summaries differ: \(summary) \(forwardSummary)")
        precondition(Array(backward.reversed()) == forward, "events differ")
        precondition(BackwardLines.inLineOrder(backwardEngine.diagnostics).map(\.description) == forwardEngine.diagnostics.map(\.description), "diagnostics differ")
    } catch is BackwardLines.Unfit {
        precondition(forwardSummary == nil, "unfit to read from the end, read forward")
    } catch {
        fatalError("unexpected error \(error)")
    }
}

fuzz { bytes in
    FileManager.default.createFile(atPath: path, contents: Data(buffer: bytes))
    checkBackward()
    let plain = read(filtered: false)
    let filtered = read(filtered: true)
    if let summary = filtered.summary {
        if let all = plain.summary {
            precondition(summary.events <= all.events && filtered.events <= plain.events, "the row filter added events")
        }
        if let digest = summary.sha256 {
            var hash = SHA256()
            hash.update(UnsafeRawBufferPointer(bytes))
            precondition(digest == hash.finish(), "digest taken while reading differs from the file's")
        }
    }
}
