import Foundation

/// Countries (`Locales/countries.tsv`): every spelling an input may use (names in each shipped
/// language, other names, ISO codes) read as the ISO 3166-1 alpha-2 code, and the code's name in
/// each language for the outputs.
public struct CountryNames: Sendable {
    private let codeByFolded: [String: String]
    /// Language code → country code → name.
    private let names: [String: [String: String]]

    /// Loads the file: columns `code`, one per language, then `aliases` (`|`-separated).
    /// - Throws: `CatalogError` naming the line of a malformed row or of a spelling that two
    ///   countries claim.
    public static func load(from url: URL) throws -> CountryNames {
        let (header, rows) = try TSVFile.readWithHeader(url, columns: ["code"])
        guard header.last == "aliases", header.count >= 3 else {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "columns must be code, one per language, aliases")
        }
        let languages = Array(header[1..<(header.count - 1)])
        var codeByFolded: [String: String] = [:]
        var names: [String: [String: String]] = [:]
        for row in rows {
            let code = row.values[0]
            guard code.count == 2, code.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "'\(code)' is not a two-letter ISO code")
            }
            let aliases = row.values.last!.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for (i, language) in languages.enumerated() where !row.values[i + 1].isEmpty {
                names[language, default: [:]][code] = row.values[i + 1]
            }
            for spelling in [code] + row.values[1..<(row.values.count - 1)] + aliases where !spelling.isEmpty {
                let folded = ColumnAliases.fold(spelling)
                if let other = codeByFolded[folded], other != code {
                    throw CatalogError.invalidFile(path: url.path, line: row.line, message: "'\(spelling)' already names \(other)")
                }
                codeByFolded[folded] = code
            }
        }
        return CountryNames(codeByFolded: codeByFolded, names: names)
    }

    init(codeByFolded: [String: String] = [:], names: [String: [String: String]] = [:]) {
        self.codeByFolded = codeByFolded
        self.names = names
    }

    /// The ISO code a spelling stands for (`Deutschland`, `Germany`, `DEU`, `de` → `DE`), or nil.
    public func code(_ text: String) -> String? {
        codeByFolded[ColumnAliases.fold(text)]
    }

    /// The name of a country code in `language` (English where the language has none), or nil
    /// for a text that is no known code.
    public func name(_ code: String, language: String) -> String? {
        names[language]?[code] ?? names[LocaleStore.baseLanguage]?[code]
    }
}
