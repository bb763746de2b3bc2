import Foundation

/// Why a finding is accepted: an exception from `--exceptions FILE` that matched it.
public struct Suppression: Equatable, Sendable {
    public var reason: String
    public var approvedBy: String
    /// The last day the exception holds (`YYYY-MM-DD`), if it ends.
    public var until: String?
}

/// Accepted findings (`--exceptions FILE`, JSON): each names a rule and a subject (the person's
/// e-mail, the page id, the setting's key; `*` for any), why, who approved it, and optionally
/// until when. A matching finding stays listed, marked suppressed with the reason and the
/// approver, and leaves the tickets. An exception that has expired or matched nothing is a
/// warning, so the list is kept tidy.
public struct Exceptions: Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var rule: String
        public var subject: String
        public var until: String?
        public var reason: String
        public var approvedBy: String

        enum CodingKeys: String, CodingKey {
            case rule, subject, until, reason
            case approvedBy = "approved_by"
        }

        func matches(_ f: Finding) -> Bool {
            rule == f.ruleID && (subject == "*" || subject.caseInsensitiveCompare(f.subject) == .orderedSame || f.actors.contains { $0.caseInsensitiveCompare(subject) == .orderedSame })
        }
    }

    public var entries: [Entry]
    /// The file, for messages.
    public var path: String

    public init(entries: [Entry], path: String) {
        self.entries = entries
        self.path = path
    }

    struct File: Codable {
        var exceptions: [Entry]
    }

    /// - Throws: `CatalogError` naming the file and the entry that is wrong.
    public static func load(from url: URL) throws -> Exceptions {
        let data = try DataFile.read(url)
        let file = try JSONSettingsFile.decode(File.self, from: data, path: url.path, expected: "an object with \"exceptions\": [{rule, subject, until?, reason, approved_by}]")
        for (i, entry) in file.exceptions.enumerated() {
            if entry.rule.isEmpty || entry.subject.isEmpty || entry.reason.trimmingCharacters(in: .whitespaces).isEmpty || entry.approvedBy.trimmingCharacters(in: .whitespaces).isEmpty {
                throw CatalogError.invalidFile(path: url.path, line: 0, message: "exceptions[\(i)] needs a rule, a subject, a reason and approved_by")
            }
            if let until = entry.until, Self.day(until) == nil {
                throw CatalogError.invalidFile(path: url.path, line: 0, message: "exceptions[\(i)].until must be a date YYYY-MM-DD, not '\(until.prefix(40))'")
            }
        }
        return Exceptions(entries: file.exceptions, path: url.path)
    }

    /// The instant a `YYYY-MM-DD` day ends (UTC), or nil.
    static func day(_ text: String) -> Timestamp? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (2000...9999).contains(y), (1...12).contains(m),
            (1...Timestamp.daysInMonth(year: y, month: m)).contains(d)
        else { return nil }
        return Timestamp(milliseconds: Timestamp(year: y, month: m, day: d).milliseconds + 86_400_000)
    }

    /// Marks the findings an exception in force covers; returns the warnings for exceptions that
    /// have expired before the period or matched no finding.
    public func apply(to findings: inout [Finding], period: ReportPeriod?) -> [String] {
        var used = Set<Int>()
        var warnings: [String] = []
        for (i, entry) in entries.enumerated() {
            if let until = entry.until.flatMap(Self.day), let period, until <= period.start {
                warnings.append("exception \(i + 1) (\(entry.rule), \(entry.subject)) expired on \(entry.until!); it suppresses nothing")
                used.insert(i)
                continue
            }
            for f in findings.indices where findings[f].suppression == nil && entry.matches(findings[f]) {
                if let until = entry.until.flatMap(Self.day), findings[f].first >= until { continue }
                findings[f].suppression = Suppression(reason: entry.reason, approvedBy: entry.approvedBy, until: entry.until)
                used.insert(i)
            }
        }
        for (i, entry) in entries.enumerated() where !used.contains(i) {
            warnings.append("exception \(i + 1) (\(entry.rule), \(entry.subject)) matched no finding")
        }
        return warnings
    }
}
