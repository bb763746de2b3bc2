import Foundation

/// Every word of one language (`Locales/<code>.json`): event labels, categories, audiences,
/// value names, UI strings and the date and number forms.
public struct LanguagePack: Sendable, Decodable {
    /// Labels of one event key.
    public struct EventText: Sendable, Decodable, Equatable {
        /// The label exactly as Notion's UI shows it (what CSV exports contain); empty when Notion shows none.
        public var ui: String
        /// Other spellings of the same event in exports (help-centre wording, older labels), each
        /// read as this key.
        public var alt: [String]
        /// A label specific to this key, also where the UI label is shared by several keys.
        public var report: String
        public var description: String
        /// Whether `ui` is Notion's own wording (false: written for this tool).
        public var official: Bool

        enum CodingKeys: String, CodingKey {
            case ui, alt, report, description, official
        }

        public init(ui: String, alt: [String] = [], report: String, description: String, official: Bool) {
            self.ui = ui
            self.alt = alt
            self.report = report
            self.description = description
            self.official = official
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ui = try c.decode(String.self, forKey: .ui)
            alt = try c.decodeIfPresent([String].self, forKey: .alt) ?? []
            report = try c.decode(String.self, forKey: .report)
            description = try c.decode(String.self, forKey: .description)
            official = try c.decode(Bool.self, forKey: .official)
        }

        /// Every spelling an export may hold for this key: the UI label, the other spellings and
        /// this tool's report label (its own CSV output is read back).
        public var exportLabels: [String] { ([ui] + alt + [report]).filter { !$0.isEmpty } }
    }

    /// Date, time and number forms.
    public struct Format: Sendable, Decodable, Equatable {
        /// Pattern with `yyyy MM dd HH mm ss` (e.g. `dd.MM.yyyy HH:mm:ss`).
        public var dateTime: String
        public var date: String
        /// Excel number formats for date-time and date cells.
        public var excelDateTime: String
        public var excelDate: String
        public var decimalSeparator: String
        public var groupingSeparator: String
        public var monthNames: [String]
        public var weekdayNames: [String]
    }

    /// ISO 639-1 code, e.g. `de`.
    public var language: String
    /// The language's own name, e.g. `Deutsch`.
    public var name: String
    /// A POSIX locale identifier for Foundation look-ups (time-zone names), e.g. `de_DE`.
    public var locale: String
    public var format: Format
    public var strings: [String: String]
    public var categories: [String: String]
    public var audiences: [String: String]
    /// Names of values found in details: `permission.read_only`, `role.owner`, `state.enabled`, …
    public var values: [String: String]
    public var events: [String: EventText]

    /// Loads and decodes one language file.
    /// - Throws: `CatalogError` naming the file.
    public static func load(from url: URL) throws -> LanguagePack {
        let data = try DataFile.read(url)
        let pack = try JSONSettingsFile.decode(LanguagePack.self, from: data, path: url.path, expected: "a language file: language, name, locale, format, strings, …")
        if let problem = pack.problem {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: problem)
        }
        return pack
    }

    /// Whether a text is a language code: `de`, `pt-BR`, `zh-Hant` (it names output files and the
    /// HTML's `lang`, so nothing else may pass).
    public static func isLanguageCode(_ code: String) -> Bool {
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (2...3).contains(parts[0].count), parts[0].utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return false }
        return parts.count == 1 || (2...8).contains(parts[1].count) && parts[1].utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// What makes the pack unusable, naming the member; nil when it is usable.
    var problem: String? {
        if !Self.isLanguageCode(language) { return "'language' must be a language code such as de or pt-BR, not '\(language.prefix(40))'" }
        if format.monthNames.count != 12 || format.monthNames.contains(where: \.isEmpty) { return "'format.monthNames' must hold 12 names, none empty" }
        if format.weekdayNames.count != 7 || format.weekdayNames.contains(where: \.isEmpty) { return "'format.weekdayNames' must hold 7 names, Monday first, none empty" }
        for (name, value) in [("dateTime", format.dateTime), ("date", format.date), ("excelDateTime", format.excelDateTime), ("excelDate", format.excelDate)] where value.isEmpty {
            return "'format.\(name)' must not be empty"
        }
        for (name, value) in [("decimalSeparator", format.decimalSeparator), ("groupingSeparator", format.groupingSeparator)] where value.count > 4 {
            return "'format.\(name)' must be at most 4 characters"
        }
        return nil
    }
}
