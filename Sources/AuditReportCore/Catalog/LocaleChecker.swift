/// Checks a language pack against the catalogue and the English base: every key, string,
/// category, audience and value present and non-empty, nothing extra.
public struct LocaleChecker {
    /// One finding about a language.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case missing
            case extra
            case empty
            case invalid
        }

        public var kind: Kind
        /// What is affected, e.g. `events.page.viewed.ui`, `strings.column.time`.
        public var item: String

        public var description: String { "\(kind.rawValue): \(item)" }
    }

    public let store: LocaleStore

    public init(store: LocaleStore) {
        self.store = store
    }

    /// The problems of one language, sorted.
    public func check(_ language: String) throws -> [Problem] {
        let pack = try store.pack(language)
        let base = try store.pack(LocaleStore.baseLanguage)
        var problems: [Problem] = []
        // A retired key that one key replaces is read as that key and never shown: it has no text.
        let shown = store.catalog.shownEntries.map(\.key)
        let keys = Set(shown)
        for key in shown {
            guard let text = pack.events[key] else {
                problems.append(Problem(kind: .missing, item: "events.\(key)"))
                continue
            }
            for (field, value) in [("ui", text.ui), ("report", text.report), ("description", text.description)] where value.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(Problem(kind: .empty, item: "events.\(key).\(field)"))
            }
        }
        for key in pack.events.keys where !keys.contains(key) {
            problems.append(Problem(kind: .extra, item: "events.\(key)"))
        }
        compare(pack.strings, base.strings, section: "strings", into: &problems)
        compare(pack.values, base.values, section: "values", into: &problems)
        let categories = Set(store.catalog.categories + ["other"])
        for category in categories.sorted() where (pack.categories[category] ?? "").isEmpty {
            problems.append(Problem(kind: pack.categories[category] == nil ? .missing : .empty, item: "categories.\(category)"))
        }
        for category in pack.categories.keys where !categories.contains(category) {
            problems.append(Problem(kind: .extra, item: "categories.\(category)"))
        }
        for level in Audience.allCases where (pack.audiences[level.siemValue] ?? "").isEmpty {
            problems.append(Problem(kind: pack.audiences[level.siemValue] == nil ? .missing : .empty, item: "audiences.\(level.siemValue)"))
        }
        if pack.format.monthNames.count != 12 { problems.append(Problem(kind: .invalid, item: "format.monthNames (need 12)")) }
        if pack.format.weekdayNames.count != 7 { problems.append(Problem(kind: .invalid, item: "format.weekdayNames (need 7)")) }
        return problems.sorted { ($0.item, $0.kind.rawValue) < ($1.item, $1.kind.rawValue) }
    }

    private func compare(_ texts: [String: String], _ base: [String: String], section: String, into problems: inout [Problem]) {
        for key in base.keys where texts[key] == nil {
            problems.append(Problem(kind: .missing, item: "\(section).\(key)"))
        }
        for (key, value) in texts {
            if base[key] == nil { problems.append(Problem(kind: .extra, item: "\(section).\(key)")) }
            if value.isEmpty { problems.append(Problem(kind: .empty, item: "\(section).\(key)")) }
        }
    }

    /// The catalogue in `localizer`'s language as TSV: key, category, UI label, report label,
    /// description, official — for translators and auditors to review.
    public static func exportTSV(_ l: Localizer) -> String {
        func clean(_ s: String) -> String { s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
        var lines = [["key", "category", "ui_label", "report_label", "description", "official"].map { l.string("locales.column.\($0)") }.joined(separator: "\t")]
        for entry in l.catalog.shownEntries {
            let text = l.pack.events[entry.key]
            lines.append(
                [
                    entry.key, l.categoryLabel(entry.category), text?.ui ?? "", text?.report ?? "", text?.description ?? "",
                    l.string((text?.official ?? false) ? "locales.yes" : "locales.no"),
                ].map(clean).joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
