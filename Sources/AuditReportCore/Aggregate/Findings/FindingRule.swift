import Foundation

/// How serious a finding is; the order is the report's order.
public enum Severity: String, Codable, CaseIterable, Sendable, Comparable {
    case high
    case medium
    case low
    case info

    var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One rule of `Locales/findings.json` (or a `--rules` file).
public struct FindingRule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case any
        case burst
        case netBurst = "net_burst"
        case newLocation = "new_location"
        case sequence
    }

    /// Which events a rule looks at: any of `keys` or of the `prefixes`, with the given detail values.
    public struct Match: Codable, Sendable, Equatable {
        public var keys: [String]?
        public var prefixes: [String]?
        public var `where`: [String: String]?

        /// - Parameter canonical: the event key's canonical synonym (looked up once per event).
        func matches(_ e: AuditEvent, canonical: String) -> Bool {
            guard matches(key: e.key, canonical: canonical) else { return false }
            for (name, value) in `where` ?? [:] {
                guard let actual = e.detail(name), actual.caseInsensitiveCompare(value) == .orderedSame else { return false }
            }
            return true
        }

        /// Whether the key alone matches (the details are not looked at).
        func matches(key: String, canonical: String) -> Bool {
            (keys ?? []).contains { $0 == key || $0 == canonical } || (prefixes ?? []).contains { key.hasPrefix($0) }
        }
    }

    public var id: String
    public var kind: Kind
    public var severity: Severity
    public var match: [Match]
    public var threshold: Int?
    public var windowMinutes: Int?
    public var undoKeys: [String]?
    public var undoMinutes: Int?
    public var lookbackDays: Int?
    public var withinHours: Int?
    public var first: [Match]?
    /// Titles and explanations by language, for rules the shipped locales do not know.
    public var titles: [String: String]?
    public var explanations: [String: String]?

    func matches(_ e: AuditEvent, canonical: String) -> Bool {
        match.contains { $0.matches(e, canonical: canonical) }
    }
}

/// The rules a report applies.
public struct FindingRules: Codable, Sendable {
    public var rules: [FindingRule]

    public init(rules: [FindingRule]) {
        self.rules = rules
    }

    /// Loads a rules file.
    /// - Throws: `CatalogError` naming the file and what is wrong.
    public static func load(from url: URL) throws -> FindingRules {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw CatalogError.missingFile(path: url.path) }
        let rules: FindingRules
        do {
            rules = try JSONDecoder().decode(FindingRules.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "not valid JSON (\(context.debugDescription))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "wrong value at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "\(error)")
        }
        var seen = Set<String>()
        for rule in rules.rules {
            guard seen.insert(rule.id).inserted else { throw CatalogError.invalidFile(path: url.path, line: 0, message: "duplicate rule id '\(rule.id)'") }
            let problem: String? = {
                switch rule.kind {
                case .burst, .netBurst:
                    if (rule.threshold ?? 0) < 1 || (rule.windowMinutes ?? 0) < 1 { return "needs threshold and windowMinutes" }
                    if rule.kind == .netBurst && (rule.undoKeys ?? []).isEmpty { return "needs undoKeys" }
                case .newLocation: if (rule.lookbackDays ?? 0) < 1 { return "needs lookbackDays" }
                case .sequence: if (rule.withinHours ?? 0) < 1 || (rule.first ?? []).isEmpty { return "needs first and withinHours" }
                case .any: break
                }
                return nil
            }()
            if let problem { throw CatalogError.invalidFile(path: url.path, line: 0, message: "rule '\(rule.id)' (\(rule.kind.rawValue)) \(problem)") }
        }
        return rules
    }

    /// `base` with the rules of `extra` added; a rule with the same id replaces the base's.
    public static func merging(_ base: FindingRules, _ extra: FindingRules) -> FindingRules {
        var rules = base.rules
        for rule in extra.rules {
            if let i = rules.firstIndex(where: { $0.id == rule.id }) { rules[i] = rule } else { rules.append(rule) }
        }
        return FindingRules(rules: rules)
    }
}
