import Foundation

/// The columns of an audit CSV export this tool understands.
public enum CSVField: String, CaseIterable, Sendable {
    case eventID = "event_id"
    case timestamp
    case event
    case actorName = "actor_name"
    case actorEmail = "actor_email"
    case actorID = "actor_id"
    case actorType = "actor_type"
    case role
    case platform
    case ipAddress = "ip_address"
    case city
    case country
    case location
    case workspace
    case pageName = "page_name"
    case pageID = "page_id"
    case target
    case targetType = "target_type"
    case audience
    case details
    /// An event key column beside a label column (this tool's own events CSV): it wins.
    case eventKey = "event_key"
    case teamspace
    case organization
    case related
    case region

    /// The case's position in `allCases`.
    var ordinal: Int {
        switch self {
        case .eventID: 0
        case .timestamp: 1
        case .event: 2
        case .actorName: 3
        case .actorEmail: 4
        case .actorID: 5
        case .actorType: 6
        case .role: 7
        case .platform: 8
        case .ipAddress: 9
        case .city: 10
        case .country: 11
        case .location: 12
        case .workspace: 13
        case .pageName: 14
        case .pageID: 15
        case .target: 16
        case .targetType: 17
        case .audience: 18
        case .details: 19
        case .eventKey: 20
        case .teamspace: 21
        case .organization: 22
        case .related: 23
        case .region: 24
        }
    }
}

/// Header names of CSV columns in every language seen (`Locales/columns.tsv`), compared after
/// folding case and dropping everything but letters and digits ("E-Mail" = "email").
public struct ColumnAliases: Sendable {
    private let byAlias: [String: CSVField]
    /// Aliases per field, in file order, for messages.
    public let aliases: [CSVField: [String]]

    public init(pairs: [(CSVField, String)]) {
        var byAlias: [String: CSVField] = [:]
        var aliases: [CSVField: [String]] = [:]
        for (field, alias) in pairs {
            byAlias[ColumnAliases.fold(alias)] = field
            aliases[field, default: []].append(alias)
        }
        self.byAlias = byAlias
        self.aliases = aliases
    }

    /// Loads `columns.tsv` (columns: field, alias, language).
    public static func load(from url: URL) throws -> ColumnAliases {
        let rows = try TSVFile.read(url, columns: ["field", "alias", "language"])
        var pairs: [(CSVField, String)] = []
        for row in rows {
            guard let field = CSVField(rawValue: row.values[0]) else {
                let known = CSVField.allCases.map(\.rawValue).joined(separator: ", ")
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "unknown field '\(row.values[0])'; known fields: \(known)")
            }
            pairs.append((field, row.values[1]))
        }
        return ColumnAliases(pairs: pairs)
    }

    /// The field a header names, or nil for a column to carry through as it is.
    public func field(forHeader header: String) -> CSVField? {
        byAlias[ColumnAliases.fold(header)]
    }

    /// A time column whose header names its zone: `Time (UTC)`, `Zeit (MEZ/MESZ, Europe/Berlin)`,
    /// `Date (UTC+02:00)`. Returns the zone when the header without its bracket is a time alias
    /// and the bracket names a zone: an IANA identifier, or UTC/GMT with an optional offset.
    public func timeColumnZone(forHeader header: String) -> TimeZone? {
        guard header.hasSuffix(")"), let open = header.lastIndex(of: "(") else { return nil }
        guard field(forHeader: String(header[..<open])) == .timestamp else { return nil }
        let inside = header[header.index(after: open)..<header.index(before: header.endIndex)]
        let words = inside.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        for word in words.reversed() where word.contains("/") {
            if let zone = TimeZone(identifier: word) { return zone }
        }
        for word in words {
            let upper = word.uppercased()
            guard upper.hasPrefix("UTC") || upper.hasPrefix("GMT") else { continue }
            let rest = upper.dropFirst(3)
            if rest.isEmpty { return TimeZone(identifier: "UTC") }
            guard let sign = rest.first, sign == "+" || sign == "-" else { continue }
            let digits = rest.dropFirst().split(separator: ":")
            guard let h = Int(digits.first ?? ""), (0...14).contains(h) else { continue }
            let m = digits.count > 1 ? Int(digits[1]) ?? 0 : 0
            let offset = (h * 3600 + m * 60) * (sign == "-" ? -1 : 1)
            return TimeZone(secondsFromGMT: offset)
        }
        return nil
    }

    /// Lower-cased letters and digits only.
    public static func fold(_ text: String) -> String {
        // Per-row path (audience cells): ASCII text needs no Unicode tables.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for b in text.utf8 {
                if b >= 0x41 && b <= 0x5A {
                    bytes.append(b + 32)
                } else if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                    bytes.append(b)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }
}
