import AuditReportCore
import Foundation
import FuzzDriver

// A whole input file through kind detection and the CSV, SIEM JSON (every wrapper shape) and
// ticket readers: events, warnings or a `ReadError`, never a crash.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let store = try! LocaleStore.load(from: root.appendingPathComponent("Locales"))
let path = "/dev/shm/audit-report-fuzz-\(getpid()).dat"

fuzz { bytes in
    FileManager.default.createFile(atPath: path, contents: Data(buffer: bytes))
    var context = ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: DiagnosticsEngine())
    context.onTicket = { _ in }
    do {
        _ = try InputReader.read(path: path, context: context) { _ in }
    } catch is ReadError {
    } catch {
        fatalError("unexpected error \(error)")
    }
}
