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

    /// Which events a rule looks at: any of `keys` or of the `prefixes`, whose fields pass the
    /// `where` tests (a field of the event, `actor.type`, `ip_address`, `audience`, …, or a
    /// detail path, `state`, `details.entity.person.email`).
    public struct Match: Codable, Sendable, Equatable {
        public var keys: [String]?
        public var prefixes: [String]?
        public var `where`: [String: Condition]?

        /// - Parameter canonical: the event key's canonical synonym (looked up once per event).
        func matches(_ e: AuditEvent, canonical: String) -> Bool {
            guard matches(key: e.key, canonical: canonical) else { return false }
            for (name, condition) in `where` ?? [:] where !condition.matches(e.value(ofField: name)) { return false }
            return true
        }

        /// Whether the key alone matches (the details are not looked at).
        func matches(key: String, canonical: String) -> Bool {
            (keys ?? []).contains { $0 == key || $0 == canonical } || (prefixes ?? []).contains { key.hasPrefix($0) }
        }
    }

    /// What a finding is about: `actor` (the person; the default), `target` (the page or
    /// teamspace changed), `setting` (the event key: the setting changed), or `detail:<path>`
    /// (a detail's value, e.g. the domain). Events of one rule and subject within
    /// `incidentMinutes` of each other are one finding.
    public enum Subject: Sendable, Equatable, Codable {
        case actor
        case target
        case setting
        case detail(String)

        public init(from decoder: Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            switch text {
            case "actor": self = .actor
            case "target": self = .target
            case "setting": self = .setting
            default:
                guard text.hasPrefix("detail:"), text.count > 7 else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "subject must be actor, target, setting or detail:<path>, not '\(text.prefix(40))'"))
                }
                self = .detail(String(text.dropFirst(7)))
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .actor: try c.encode("actor")
            case .target: try c.encode("target")
            case .setting: try c.encode("setting")
            case .detail(let path): try c.encode("detail:" + path)
            }
        }

        public var name: String {
            switch self {
            case .actor: return "actor"
            case .target: return "target"
            case .setting: return "setting"
            case .detail: return "detail"
            }
        }
    }

    public var id: String
    public var kind: Kind
    public var severity: Severity
    public var subject: Subject?
    /// Events of one subject this close (minutes) are one incident (default 60; a threshold
    /// rule's window).
    public var incidentMinutes: Int?
    /// Actor types the rule ignores (`bot`, `integration`): rules meant for people.
    public var excludeActorTypes: [String]?
    /// For `sequence`: whether `first` must come before the events (default) or in any order.
    public var ordered: Bool?
    /// Why the rule has its severity.
    public var reason: String?
    public var match: [Match]
    public var threshold: Int?
    public var windowMinutes: Int?
    /// For `net_burst`: events that undo a matching event on the same page within
    /// `undoMinutes` after it (a restore).
    public var undoKeys: [String]?
    public var undoMinutes: Int?
    /// For `net_burst`: events on the same page within `undoMinutes` before a matching event
    /// that make it not count (a page created and deleted again within the hour).
    public var priorKeys: [String]?
    public var lookbackDays: Int?
    public var withinHours: Int?
    public var first: [Match]?
    /// Titles and explanations by language, for rules the shipped locales do not know.
    public var titles: [String: String]?
    public var explanations: [String: String]?

    func matches(_ e: AuditEvent, canonical: String) -> Bool {
        if let excluded = excludeActorTypes, excluded.contains(where: { $0.equalsIgnoringCase(e.actor.type) }) { return false }
        return match.contains { $0.matches(e, canonical: canonical) }
    }

    /// The subject's value for an event (empty when the event has none).
    func subjectValue(_ e: AuditEvent) -> String {
        switch subject ?? .actor {
        case .actor: return e.actor.identity
        case .target: return e.target.id.isEmpty ? e.target.name : e.target.id
        case .setting: return [e.key, e.target.id.isEmpty ? e.target.name : e.target.id].filter { !$0.isEmpty }.joined(separator: " ")
        case .detail(let path): return e.value(ofField: path) ?? ""
        }
    }
}

extension AuditEvent {
    /// A field by the name rules use: `actor.type`, `actor.email`, `actor.id`, `ip_address`,
    /// `platform`, `city`, `region`, `country`, `workspace`, `audience`, `target.type`,
    /// `target.id`, `target.name`, `key`; anything else (with or without `details.`) a detail.
    public func value(ofField name: String) -> String? {
        switch name {
        case "actor.type": return actor.type
        case "actor.email": return actor.email
        case "actor.id": return actor.id
        case "actor.name": return actor.name
        case "ip_address": return ipAddress
        case "platform": return platform
        case "city": return city
        case "region": return region
        case "country": return country
        case "workspace": return workspace
        case "audience": return audience?.siemValue
        case "target.type": return target.kind
        case "target.id": return target.id
        case "target.name": return target.name
        case "key": return key
        default: return detail(name.hasPrefix("details.") ? String(name.dropFirst(8)) : name)
        }
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
        let rules = try JSONSettingsFile.decode(FindingRules.self, from: data, path: url.path, expected: "an object with \"rules\": [{id, kind, severity, match, …}]")
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
                    ("incidentMinutes", rule.incidentMinutes, 1...527_040),
                ]
                let networks = (rule.match + (rule.first ?? [])).flatMap { ($0.where ?? [:]).values.flatMap(\.invalidNetworks) }
                if let bad = networks.first { return "has '\(bad.prefix(60))', which is no network (10.0.0.0/8, 2001:db8::/32 or one address)" }
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

    /// The rule "login from outside the allowed networks" for the networks of a file (one CIDR or
    /// address per line; `#` starts a comment).
    /// - Throws: `CatalogError` naming the line that holds no network, or a file without any.
    public static func allowedNetworksRule(from url: URL) throws -> FindingRule {
        let text = String(decoding: try DataFile.read(url), as: UTF8.self)
        var networks: [String] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            if line.isEmpty { continue }
            guard Network(line) != nil else {
                throw CatalogError.invalidFile(path: url.path, line: i + 1, message: "'\(line.prefix(60))' is no network (10.0.0.0/8, 2001:db8::/32 or one address)")
            }
            networks.append(line)
        }
        guard !networks.isEmpty else { throw CatalogError.invalidFile(path: url.path, line: 0, message: "no network in the file") }
        return FindingRule(
            id: "login_outside_allowed_networks", kind: .any, severity: .high, subject: .actor,
            reason: "Sign-ins are expected from the networks listed; one from elsewhere may be a stolen session or password.",
            match: [FindingRule.Match(keys: ["user.login"], where: ["ip_address": Condition(outside: networks)])])
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
