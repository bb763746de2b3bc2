import Foundation

/// The report compared with the month before, read from that month's JSON twin: each finding
/// new or persisting, the month before's findings that did not recur (resolved), and the key
/// figures of then.
public struct MonthComparison: Equatable, Sendable {
    /// A finding of the month before, as its twin lists it.
    public struct PreviousFinding: Equatable, Sendable {
        public var rule: String
        public var severity: String
        public var subject: String
        public var people: [String]
        public var count: Int
        public var first: String
        public var last: String

        /// The same rule, subject and people: the same finding in another month.
        public var identity: String { Finding.identity(rule: rule, subject: subject, people: people) }
    }

    public enum Change: String, Sendable {
        case new
        case persisting
    }

    /// `2026-09`.
    public var month: String
    /// The twin's file name.
    public var source: String
    public var findings: [PreviousFinding]
    public var keyFigures: [String: Int]
    /// Events per category and findings per severity of that month, for the trend.
    public var eventsByCategory: [String: Int]
    public var findingsBySeverity: [String: Int]

    public func change(of finding: Finding) -> Change {
        findings.contains { $0.identity == finding.identity } ? .persisting : .new
    }

    /// The findings of then that did not recur now.
    public func resolved(given current: [Finding]) -> [PreviousFinding] {
        let now = Set(current.map(\.identity))
        return findings.filter { !now.contains($0.identity) }
    }

    /// Reads a twin (`…-report.json`).
    /// - Throws: `CatalogError` naming the file when it is no twin of this tool.
    public static func load(from url: URL) throws -> MonthComparison {
        let value = try JSONSettingsFile.value(of: url)
        guard let root = value.objectValue, let month = root["period"]?["month"]?.scalarText, root["tool"]?["name"]?.scalarText == "audit-report" else {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "not a report twin of audit-report (no tool and period)")
        }
        func ints(_ v: JSONValue?) -> [String: Int] {
            var out: [String: Int] = [:]
            for m in v?.objectValue?.members ?? [] { if let n = m.value.scalarText.flatMap({ Int($0) }) { out[m.key] = n } }
            return out
        }
        var findings: [PreviousFinding] = []
        if case .array(let items)? = root["findings"] {
            for item in items {
                guard let o = item.objectValue else { continue }
                var people: [String] = []
                if case .array(let p)? = o["people"] { people = p.compactMap(\.scalarText) }
                findings.append(
                    PreviousFinding(
                        rule: o["rule"]?.scalarText ?? "", severity: o["severity"]?.scalarText ?? "", subject: o["subject"]?.scalarText ?? "", people: people,
                        count: o["count"]?.scalarText.flatMap { Int($0) } ?? 0, first: o["first"]?.scalarText ?? "", last: o["last"]?.scalarText ?? ""))
            }
        }
        var bySeverity: [String: Int] = [:]
        for f in findings { bySeverity[f.severity, default: 0] += 1 }
        return MonthComparison(
            month: month, source: url.lastPathComponent, findings: findings, keyFigures: ints(root["key_figures"]),
            eventsByCategory: ints(root["breakdowns"]?["by_category"]), findingsBySeverity: bySeverity)
    }
}

extension Finding {
    static func identity(rule: String, subject: String, people: [String]) -> String {
        ([rule, subject] + people.sorted()).joined(separator: "\u{1F}")
    }

    /// The same rule, subject and people: the same finding in another month.
    public var identity: String { Finding.identity(rule: ruleID, subject: subject, people: actors) }
}
