import AuditReportCore
import Foundation
import FuzzDriver

// A rules file of any bytes: loading ends in rules or a `CatalogError`; rules that load are run
// on a few events (logins, exports, deletions) without a crash, an overflow or a hang.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-rules-\(getpid()).json").path
let catalog = try! LocaleStore.load(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../Locales").standardizedFileURL).catalog
let events: [AuditEvent] = (0..<40).map { i in
    AuditEvent(
        timestamp: Timestamp(milliseconds: 1_791_000_000_000 - Int64(i) * 61_000), key: ["user.login", "page.exported", "page.deleted", "page.restored_from_trash", "user.settings.email_updated"][i % 5],
        actor: Actor(email: "a\(i % 3)@x.de"), city: "City \(i % 4)", country: "DE", target: Target(kind: "page", id: "p\(i % 7)", name: "P\(i % 7)"))
}

fuzz { bytes in
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let rules: FindingRules
    do {
        rules = try FindingRules.load(from: URL(fileURLWithPath: path))
    } catch is CatalogError {
        return
    } catch {
        fatalError("unexpected error \(error)")
    }
    var engine = FindingsEngine(rules: rules, catalog: catalog, period: nil, sources: ["fuzz"])
    for e in events { engine.add(e) }
    _ = engine.finish()
}
