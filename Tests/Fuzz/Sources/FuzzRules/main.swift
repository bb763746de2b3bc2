import AuditReportCore
import Foundation
import FuzzDriver

// A rules file of any bytes: loading ends in rules or a `CatalogError`; rules that load are run
// on a few events (logins, exports, deletions) without a crash, an overflow or a hang. The same
// bytes are read as accepted findings (`--exceptions`), applied to the findings, and as a file
// of allowed networks, whose rule is run too.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-rules-\(getpid()).json").path
let catalog = try! LocaleStore.load(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../Locales").standardizedFileURL).catalog
let events: [AuditEvent] = (0..<40).map { i in
    AuditEvent(
        timestamp: Timestamp(milliseconds: 1_791_000_000_000 - Int64(i) * 61_000), key: ["user.login", "page.exported", "page.deleted", "page.restored_from_trash", "user.settings.email_updated"][i % 5],
        actor: Actor(email: "a\(i % 3)@x.de"), ipAddress: ["10.1.2.3", "2001:db8::1", "::ffff:192.0.2.1", "", "300.1.1.1"][i % 5], city: "City \(i % 4)", country: "DE",
        target: Target(kind: "page", id: "p\(i % 7)", name: "P\(i % 7)"))
}

/// Runs `rules` on the events and applies `exceptions` (when they load) to what they find.
func run(_ rules: FindingRules, _ exceptions: Exceptions?) {
    var engine = FindingsEngine(rules: rules, catalog: catalog, period: nil, sources: ["fuzz"])
    for e in events { engine.add(e) }
    var findings = engine.finish()
    _ = exceptions?.apply(to: &findings, period: nil)
}

/// The loader's value, nil for a `CatalogError`; any other error is a defect.
func load<T>(_ body: () throws -> T) -> T? {
    do {
        return try body()
    } catch is CatalogError {
        return nil
    } catch {
        fatalError("unexpected error \(error)")
    }
}

fuzz { bytes in
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let url = URL(fileURLWithPath: path)
    let exceptions = load { try Exceptions.load(from: url) }
    if let rules = load({ try FindingRules.load(from: url) }) { run(rules, exceptions) }
    if let rule = load({ try FindingRules.allowedNetworksRule(from: url) }) { run(FindingRules(rules: [rule]), exceptions) }
    if let exceptions { run(FindingRules(rules: []), exceptions) }
}
