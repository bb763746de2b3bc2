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

        public init(rule: String, severity: String, subject: String, people: [String], count: Int, first: String, last: String) {
            self.rule = rule
            self.severity = severity
            self.subject = subject
            self.people = people
            self.count = count
            self.first = first
            self.last = last
        }
    }

    public enum Change: String, Sendable {
        case new
        case persisting
    }

    /// `2026-09`.
    public var month: String
    /// The twin's file name.
    public var source: String
    public var findings: [PreviousFinding] {
        didSet { identities = Set(findings.map(\.identity)) }
    }
    public var keyFigures: [String: Int]
    /// Events per category and findings per severity of that month, for the trend.
    public var eventsByCategory: [String: Int]
    public var findingsBySeverity: [String: Int]
    /// The findings' identities: each finding of now is looked up once, not compared with every
    /// finding of then (18,000 findings in each month made that 324 million comparisons).
    private var identities: Set<String>

    public init(month: String, source: String, findings: [PreviousFinding], keyFigures: [String: Int], eventsByCategory: [String: Int], findingsBySeverity: [String: Int]) {
        self.month = month
        self.source = source
        self.findings = findings
        self.keyFigures = keyFigures
        self.eventsByCategory = eventsByCategory
        self.findingsBySeverity = findingsBySeverity
        identities = Set(findings.map(\.identity))
    }

    public func change(of finding: Finding) -> Change {
        identities.contains(finding.identity) ? .persisting : .new
    }

    /// The same month for the trend only: its key figures and counts, not its findings.
    var forTrend: MonthComparison {
        var trend = self
        trend.findings = []
        return trend
    }

    /// The findings of then that did not recur now.
    public func resolved(given current: [Finding]) -> [PreviousFinding] {
        let now = Set(current.map(\.identity))
        return findings.filter { !now.contains($0.identity) }
    }

    /// Reads a twin (`…-report.json`) as a stream: member by member, and its findings one at a
    /// time, so a busy month's twin (tens of MB) is never a tree in memory and has no size limit.
    /// - Throws: `CatalogError` naming the file when it is no twin of this tool or no valid JSON.
    public static func load(from url: URL) throws -> MonthComparison {
        try DataFile.checkRegularFile(url)
        do {
            return try read(url)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "not valid JSON: \(error)")
        }
    }

    private static func read(_ url: URL) throws -> MonthComparison {
        let parser = JSONParser(reader: try ByteReader(stream: ByteStream(path: url.path)))
        let notTwin = CatalogError.invalidFile(path: url.path, line: 0, message: "not a report twin of audit-report (no tool and period)")
        guard try parser.peekToken() == 0x7B else {
            _ = try parser.parseValue()
            try parser.expectEnd()
            throw notTwin
        }
        parser.reader.position += 1
        var kept: [String: JSONValue] = [:]
        var findings: [PreviousFinding] = []
        if try parser.peekToken() == 0x7D {
            parser.reader.position += 1
        } else {
            repeat {
                let key = try parser.parseKey()
                switch key {
                case "findings" where try parser.peekToken() == 0x5B:
                    // A key given twice: the last one wins, as when the twin is read whole.
                    findings = []
                    parser.reader.position += 1
                    if try parser.peekToken() == 0x5D {
                        parser.reader.position += 1
                    } else {
                        repeat {
                            // Items nest as deep as in the whole tree: the root, the array, the item.
                            if let f = previous(try parser.parseValue(depth: 2)) { findings.append(f) }
                        } while try !parser.closes(0x5D)
                    }
                case "findings":
                    findings = []
                    _ = try parser.parseValue(depth: 1)
                case "tool", "period", "key_figures", "breakdowns":
                    kept[key] = try parser.parseValue(depth: 1)
                default:
                    _ = try parser.parseValue(depth: 1)
                }
            } while try !parser.closes(0x7D)
        }
        try parser.expectEnd()
        guard let month = kept["period"]?["month"]?.scalarText, kept["tool"]?["name"]?.scalarText == "audit-report" else { throw notTwin }
        func ints(_ v: JSONValue?) -> [String: Int] {
            var out: [String: Int] = [:]
            for m in v?.objectValue?.members ?? [] { if let n = m.value.scalarText.flatMap({ Int($0) }) { out[m.key] = n } }
            return out
        }
        var bySeverity: [String: Int] = [:]
        for f in findings { bySeverity[f.severity, default: 0] += 1 }
        return MonthComparison(
            month: month, source: url.lastPathComponent, findings: findings, keyFigures: ints(kept["key_figures"]),
            eventsByCategory: ints(kept["breakdowns"]?["by_category"]), findingsBySeverity: bySeverity)
    }

    /// A finding as the twin lists it; nil for an item that is no object.
    private static func previous(_ item: JSONValue) -> PreviousFinding? {
        guard let o = item.objectValue else { return nil }
        var people: [String] = []
        if case .array(let p)? = o["people"] { people = p.compactMap(\.scalarText) }
        return PreviousFinding(
            rule: o["rule"]?.scalarText ?? "", severity: o["severity"]?.scalarText ?? "", subject: o["subject"]?.scalarText ?? "", people: people,
            count: o["count"]?.scalarText.flatMap { Int($0) } ?? 0, first: o["first"]?.scalarText ?? "", last: o["last"]?.scalarText ?? "")
    }
}

extension Finding {
    static func identity(rule: String, subject: String, people: [String]) -> String {
        ([rule, subject] + people.sorted()).joined(separator: "\u{1F}")
    }

    /// The same rule, subject and people: the same finding in another month.
    public var identity: String { Finding.identity(rule: ruleID, subject: subject, people: actors) }
}
