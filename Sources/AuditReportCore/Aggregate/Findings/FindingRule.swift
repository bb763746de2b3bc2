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
        let data = try DataFile.read(url)
        let rules: FindingRules
        do {
            rules = try JSONDecoder().decode(FindingRules.self, from: data)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "wrong value at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            // Foundation refuses a number it cannot fit as "not valid JSON": name the member instead.
            if let member = Self.unfittingNumber(in: data) { throw CatalogError.invalidFile(path: url.path, line: 0, message: member) }
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
                // Every number is bounded, so no arithmetic on it can overflow.
                let bounds: [(String, Int?, ClosedRange<Int>)] = [
                    ("threshold", rule.threshold, 1...1_000_000), ("windowMinutes", rule.windowMinutes, 1...527_040),
                    ("undoMinutes", rule.undoMinutes, 0...527_040), ("lookbackDays", rule.lookbackDays, 1...3_660), ("withinHours", rule.withinHours, 1...8_784),
                ]
                for (name, value, range) in bounds {
                    if let value, !range.contains(value) { return "\(name) must be from \(range.lowerBound) to \(range.upperBound), not \(value)" }
                }
                if rule.id.isEmpty || rule.id.count > 100 || !rule.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) {
                    return "id must be 1 to 100 letters, digits, '_', '-' or '.'"
                }
                return nil
            }()
            if let problem { throw CatalogError.invalidFile(path: url.path, line: 0, message: "rule '\(rule.id)' (\(rule.kind.rawValue)) \(problem)") }
        }
        return rules
    }

    /// The first number that is valid JSON but no whole number a rule can hold (`1e30`, `2.5`),
    /// as a message naming where it is; nil when there is none.
    static func unfittingNumber(in data: Data) -> String? {
        guard let value = try? JSONParser.parse(String(decoding: data, as: UTF8.self), path: "", line: 0) else { return nil }
        func search(_ value: JSONValue, _ path: String) -> String? {
            switch value {
            case .number(let text) where Int(text) == nil:
                return "\(path) must be a whole number, not \(text.prefix(40))"
            case .object(let object):
                for member in object.members {
                    if let found = search(member.value, path.isEmpty ? member.key : "\(path).\(member.key)") { return found }
                }
            case .array(let items):
                for (i, item) in items.enumerated() {
                    if let found = search(item, "\(path)[\(i)]") { return found }
                }
            default: break
            }
            return nil
        }
        return search(value, "")
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
