import Foundation

/// Everything under `Locales/`: the catalogue, the CSV column aliases and every language file,
/// plus the reverse index from UI labels (in any language) back to event keys.
public struct LocaleStore: Sendable {
    public let directory: URL
    public let catalog: EventCatalog
    public let columns: ColumnAliases
    public let countries: CountryNames
    /// Language packs by code, from `<code>.json` files.
    public let packs: [String: LanguagePack]
    /// Audience spellings (SIEM values, glossary names, UI labels of every language) → level.
    private let audienceIndex: [String: Audience]
    /// Folded UI or report label → the key it resolves to.
    private let labelIndex: [String: String]

    /// The language every other one falls back to for a missing string.
    public static let baseLanguage = "en"

    /// Loads `catalogue.tsv`, `columns.tsv`, `audiences.tsv` and every `*.json` in `directory`.
    /// - Parameter extraPacks: further language files (e.g. a translator's draft) to load.
    /// - Throws: `CatalogError`.
    public static func load(from directory: URL, extraPacks: [URL] = []) throws -> LocaleStore {
        let catalog = try EventCatalog.load(from: directory.appendingPathComponent("catalogue.tsv"))
        let columns = try ColumnAliases.load(from: directory.appendingPathComponent("columns.tsv"))
        let countries = try CountryNames.load(from: directory.appendingPathComponent("countries.tsv"))
        var packs: [String: LanguagePack] = [:]
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        // Language files are named by their code (`de.json`, `pt-BR.json`); other JSON (the finding rules) is not one.
        for file in files.sorted() where file.hasSuffix(".json") && isLanguageFileName(file) {
            let pack = try LanguagePack.load(from: directory.appendingPathComponent(file))
            packs[pack.language] = pack
        }
        for url in extraPacks {
            let pack = try LanguagePack.load(from: url)
            packs[pack.language] = pack
        }
        guard packs[baseLanguage] != nil else {
            throw CatalogError.missingFile(path: directory.appendingPathComponent("\(baseLanguage).json").path)
        }
        let audienceRows = try TSVFile.read(directory.appendingPathComponent("audiences.tsv"), columns: ["level", "alias"])
        var audienceIndex: [String: Audience] = [:]
        for row in audienceRows {
            guard let level = Audience.allCases.first(where: { $0.siemValue == row.values[0] }) else {
                throw CatalogError.invalidFile(path: directory.appendingPathComponent("audiences.tsv").path, line: row.line, message: "unknown audience level '\(row.values[0])'")
            }
            audienceIndex[ColumnAliases.fold(row.values[1])] = level
        }
        for pack in packs.values.sorted(by: { $0.language < $1.language }) {
            for level in Audience.allCases {
                if let label = pack.audiences[level.siemValue] { audienceIndex[ColumnAliases.fold(label)] = level }
            }
        }
        return LocaleStore(
            directory: directory, catalog: catalog, columns: columns, countries: countries, packs: packs, audienceIndex: audienceIndex,
            labelIndex: Self.buildLabelIndex(catalog: catalog, packs: packs))
    }

    static func isLanguageFileName(_ file: String) -> Bool {
        let code = file.dropLast(5)
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (2...3).contains(parts[0].count), parts[0].allSatisfy({ $0.isLowercase && $0.isASCII }) else { return false }
        return parts.count == 1 || (2...4).contains(parts[1].count) && parts[1].allSatisfy { $0.isLetter && $0.isASCII }
    }

    /// Labels that name one key (or a set of synonyms) resolve to it. A label that several
    /// events share resolves to the smallest group holding all of them, so the row can merge with
    /// whichever of them the stream names; a label shared by events no group holds is left out,
    /// so it is reported as unmapped rather than guessed. A group's own labels (its report label,
    /// as this tool's CSV writes it) resolve to the group where no event carries them.
    private static func buildLabelIndex(catalog: EventCatalog, packs: [String: LanguagePack]) -> [String: String] {
        var candidates: [String: Set<String>] = [:]
        for pack in packs.values {
            for (key, text) in pack.events {
                guard let entry = catalog.entry(key), entry.kind == .event, !entry.isRetired else { continue }
                for label in text.exportLabels { candidates[foldLabel(label), default: []].insert(key) }
            }
        }
        var index: [String: String] = [:]
        for (label, keys) in candidates {
            let canonical = Set(keys.map { catalog.canonicalKey($0) })
            if canonical.count == 1 {
                index[label] = canonical.first!
                continue
            }
            var common: Set<String>? = nil
            for key in canonical {
                let groups = Set(catalog.entry(key)?.groups ?? [])
                common = common.map { $0.intersection(groups) } ?? groups
            }
            if let group = common?.min(by: { (catalog.members(ofGroup: $0).count, $0) < (catalog.members(ofGroup: $1).count, $1) }) {
                index[label] = group
            }
        }
        for pack in packs.values.sorted(by: { $0.language < $1.language }) {
            for (key, text) in pack.events where catalog.entry(key)?.kind == .group {
                for label in text.exportLabels where candidates[foldLabel(label)] == nil && index[foldLabel(label)] == nil {
                    index[foldLabel(label)] = key
                }
            }
        }
        return index
    }

    /// Case- and space-insensitive form of a label.
    static func foldLabel(_ label: String) -> String {
        label.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{A0}" }).joined(separator: " ")
    }

    /// The language codes available, sorted.
    public var languages: [String] { packs.keys.sorted() }

    /// The pack for `language`.
    /// - Throws: `CatalogError.unknownLanguage`.
    public func pack(_ language: String) throws -> LanguagePack {
        guard let pack = packs[language] else { throw CatalogError.unknownLanguage(language, available: languages) }
        return pack
    }

    /// The event key an export's event cell stands for: the key itself when it is one (known or
    /// shaped like one), else the key or group key of a UI label in any language, else nil.
    public func resolveEvent(_ text: String) -> String? {
        if catalog.entry(text) != nil { return catalog.readKey(text) }
        if let key = labelIndex[Self.foldLabel(text)] { return key }
        if Self.looksLikeKey(text) { return text }
        return nil
    }

    /// `a.b_c` shapes: lower-case ASCII segments with dots, no spaces.
    static func looksLikeKey(_ text: String) -> Bool {
        guard text.contains("."), !text.hasPrefix("."), !text.hasSuffix(".") else { return false }
        return text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// The ISO code of a country spelling, or the text as it is when no country has that name
    /// (it is shown as written).
    public func country(_ text: String) -> String {
        text.isEmpty ? text : countries.code(text) ?? text
    }

    /// The audience level a spelling stands for (`shared_to_web`, `public`, `Im Web geteilt`, …).
    public func audience(_ text: String) -> Audience? {
        audienceIndex[ColumnAliases.fold(text)]
    }
}
