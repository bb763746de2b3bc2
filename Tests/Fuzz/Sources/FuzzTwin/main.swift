import AuditReportCore
import Foundation
import FuzzDriver

// A twin of the month before of any bytes: reading it as a stream (a member and a finding at a
// time) gives what reading the whole tree gives — the same month, key figures, counts per
// category and findings — or both refuse it; never a crash, a hang or another error.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-twin-\(getpid()).json").path

/// The comparison as the whole tree gives it (how twins were read before they were streamed).
func fromTree(_ bytes: UnsafeBufferPointer<UInt8>) -> MonthComparison? {
    guard let value = try? JSONParser.parse(String(decoding: bytes, as: UTF8.self), path: path, line: 1), let root = value.objectValue,
        let month = root["period"]?["month"]?.scalarText, root["tool"]?["name"]?.scalarText == "audit-report"
    else { return nil }
    func ints(_ v: JSONValue?) -> [String: Int] {
        var out: [String: Int] = [:]
        for m in v?.objectValue?.members ?? [] { if let n = m.value.scalarText.flatMap({ Int($0) }) { out[m.key] = n } }
        return out
    }
    var findings: [MonthComparison.PreviousFinding] = []
    if case .array(let items)? = root["findings"] {
        for item in items {
            guard let o = item.objectValue else { continue }
            var people: [String] = []
            if case .array(let p)? = o["people"] { people = p.compactMap(\.scalarText) }
            findings.append(
                MonthComparison.PreviousFinding(
                    rule: o["rule"]?.scalarText ?? "", severity: o["severity"]?.scalarText ?? "", subject: o["subject"]?.scalarText ?? "", people: people,
                    count: o["count"]?.scalarText.flatMap { Int($0) } ?? 0, first: o["first"]?.scalarText ?? "", last: o["last"]?.scalarText ?? ""))
        }
    }
    var bySeverity: [String: Int] = [:]
    for f in findings { bySeverity[f.severity, default: 0] += 1 }
    return MonthComparison(
        month: month, source: URL(fileURLWithPath: path).lastPathComponent, findings: findings, keyFigures: ints(root["key_figures"]),
        eventsByCategory: ints(root["breakdowns"]?["by_category"]), findingsBySeverity: bySeverity)
}

fuzz { bytes in
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let streamed: MonthComparison?
    do {
        streamed = try MonthComparison.load(from: URL(fileURLWithPath: path))
    } catch is CatalogError {
        streamed = nil
    } catch {
        fatalError("unexpected error \(error)")
    }
    // The stream also reads what the whole-file way did not: a byte-order mark, gzip, text
    // that is not UTF-8 (as Windows-1252). Elsewhere both ways must agree.
    guard bytes.first != 0xEF, bytes.first != 0x1F, bytes.first != 0xFE, bytes.first != 0xFF, String(validating: bytes, as: UTF8.self) != nil else { return }
    let whole = fromTree(bytes)
    if streamed != whole { fatalError("streamed \(String(describing: streamed)) but the whole tree gives \(String(describing: whole))") }
}
