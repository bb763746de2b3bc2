import Foundation

/// The language-neutral part of the catalogue (`Locales/catalogue.tsv`): every known event key
/// with its category, the group key a shared UI label stands for, and synonym keys.
public struct EventCatalog: Sendable {
    /// One row of the catalogue.
    public struct Entry: Equatable, Sendable {
        public enum Kind: String, Sendable {
            /// A key Notion emits (or a stable `ui.` key for a UI-only event).
            case event
            /// A key this tool assigns to a UI label that several event keys share.
            case group
        }

        public var key: String
        public var category: String
        public var kind: Kind
        /// The group key this event's shared UI label resolves to; empty when the label is its own.
        public var group: String
        /// The key this one is a synonym of; empty when it is canonical.
        public var synonymOf: String
        /// `siem-glossary`, `seen-in-detections`, `ui-only` or `tool` (group keys).
        public var keySource: String
        /// How sure the key↔label pairing is: H, M, L or `-`.
        public var pairing: String
    }

    /// The entries in file order.
    public let entries: [Entry]
    private let byKey: [String: Int]
    /// Categories in file order of first appearance.
    public let categories: [String]

    public init(entries: [Entry]) {
        self.entries = entries
        var index: [String: Int] = [:]
        var categories: [String] = []
        for (i, e) in entries.enumerated() {
            index[e.key] = i
            if !categories.contains(e.category) { categories.append(e.category) }
        }
        byKey = index
        self.categories = categories
    }

    /// Loads `catalogue.tsv`.
    /// - Throws: `CatalogError` naming the file and line of a malformed row.
    public static func load(from url: URL) throws -> EventCatalog {
        let rows = try TSVFile.read(url, columns: ["key", "category", "kind", "group", "synonym_of", "key_source", "pairing"])
        var entries: [Entry] = []
        var seen = Set<String>()
        for row in rows {
            let key = row.values[0]
            guard let kind = Entry.Kind(rawValue: row.values[2]) else {
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "kind must be 'event' or 'group', not '\(row.values[2])'")
            }
            guard seen.insert(key).inserted else {
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "duplicate key '\(key)'")
            }
            entries.append(Entry(key: key, category: row.values[1], kind: kind, group: row.values[3], synonymOf: row.values[4], keySource: row.values[5], pairing: row.values[6]))
        }
        let catalog = EventCatalog(entries: entries)
        for (row, entry) in zip(rows, entries) {
            for reference in [entry.group, entry.synonymOf] where !reference.isEmpty && catalog.entry(reference) == nil {
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "'\(entry.key)' refers to unknown key '\(reference)'")
            }
        }
        return catalog
    }

    public func entry(_ key: String) -> Entry? {
        byKey[key].map { entries[$0] }
    }

    /// Keys of Notion events (not group keys), in file order.
    public var eventKeys: [String] { entries.filter { $0.kind == .event }.map(\.key) }

    /// The key a synonym stands for (`user.settings.login_method.email_updated` →
    /// `user.settings.email_updated`); the key itself otherwise.
    public func canonicalKey(_ key: String) -> String {
        if let e = entry(key), !e.synonymOf.isEmpty { return e.synonymOf }
        return key
    }

    /// The category of a key; for an unknown key, its first segment (after `ui.`) when that is a
    /// known category, else `other`.
    public func category(of key: String) -> String {
        if let e = entry(key) { return e.category }
        var parts = key.split(separator: ".", omittingEmptySubsequences: true)
        if parts.first == "ui" { parts.removeFirst() }
        if let first = parts.first, categories.contains(String(first)) { return String(first) }
        return "other"
    }

    /// The keys a group key stands for.
    public func members(ofGroup group: String) -> [String] {
        entries.filter { $0.group == group }.map(\.key)
    }
}
