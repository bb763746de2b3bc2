import AuditReportCore
import Foundation
import FuzzDriver

// A request body as the collect server gets it: records or a problem, never a crash; and every
// record accepted is one line of JSON that the store's reader reads back as one event.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let store = try! LocaleStore.load(from: root.appendingPathComponent("Locales"))
let path = "/dev/shm/audit-report-fuzz-body-\(getpid()).jsonl"

fuzz { bytes in
    let body = Array(bytes)
    for hec in [false, true] {
        guard case .success(let records) = ReceivedBody.records(in: body, store: store, requireEventMember: hec) else { continue }
        var lines: [UInt8] = []
        for record in records {
            precondition(!record.json.contains(0x0A) && !record.json.contains(0x0D), "a record spans lines")
            lines += Array("{\"collected_at\":\"2026-11-30T12:00:00.000Z\",\"endpoint\":\"notion\",\"record\":".utf8) + record.json + Array("}\n".utf8)
        }
        FileManager.default.createFile(atPath: path, contents: Data(lines))
        let context = ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: DiagnosticsEngine())
        var count = 0
        do {
            _ = try InputReader.read(path: path, context: context) { _ in count += 1 }
        } catch {
            fatalError("a stored body does not read back: \(error)")
        }
        precondition(count == records.count, "\(records.count) records stored, \(count) read back")
    }
}
