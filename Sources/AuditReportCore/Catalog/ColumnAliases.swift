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

    /// Lower-cased letters and digits only.
    public static func fold(_ text: String) -> String {
        String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }
}
