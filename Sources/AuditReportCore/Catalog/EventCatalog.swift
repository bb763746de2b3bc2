import Foundation

/// The language-neutral part of the catalogue (`Locales/catalogue.tsv`): every known event key
/// with its category, the group keys of the labels it shares with other keys, and synonym keys
/// (retired `ui.` keys of the 2023 catalogue that Notion's own key now replaces).
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
        /// The groups whose shared label this event also carries (a CSV row with that label may be
        /// any of the group's members); empty when every label of the event is its own.
        public var groups: [String]
        /// The key this one is a synonym of; empty when it is canonical.
        public var synonymOf: String
        /// `siem` (Notion's 2026 SIEM list), `audit-log` (audit log only), `detections`, `tool`
        /// (group keys) or `retired` (an old `ui.` key that Notion's own key replaces).
        public var keySource: String
        /// `2023` (in the first catalogue) or `2026`.
        public var since: String
        /// How sure the key↔label pairing is: H, M, L or `-`.
        public var pairing: String

        /// A retired key: read as the key that replaces it (or as its group), never shown.
        public var isRetired: Bool { keySource == "retired" }
    }

    /// The entries in file order.
    public let entries: [Entry]
    private let byKey: [String: Int]
    private let membersByGroup: [String: [String]]
    /// Categories in file order of first appearance.
    public let categories: [String]

    public init(entries: [Entry]) {
        self.entries = entries
        var index: [String: Int] = [:]
        var categories: [String] = []
        var members: [String: [String]] = [:]
        for (i, e) in entries.enumerated() {
            index[e.key] = i
            if !categories.contains(e.category) { categories.append(e.category) }
            for g in e.groups { members[g, default: []].append(e.key) }
        }
        byKey = index
        membersByGroup = members
        self.categories = categories
    }

    /// Loads `catalogue.tsv`.
    /// - Throws: `CatalogError` naming the file and line of a malformed row.
    public static func load(from url: URL) throws -> EventCatalog {
        let rows = try TSVFile.read(url, columns: ["key", "category", "kind", "group", "synonym_of", "key_source", "since", "pairing"])
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
            let groups = row.values[3].split(separator: "|").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            entries.append(
                Entry(
                    key: key, category: row.values[1], kind: kind, groups: groups, synonymOf: row.values[4], keySource: row.values[5],
                    since: row.values[6], pairing: row.values[7]))
        }
        let catalog = EventCatalog(entries: entries)
        for (row, entry) in zip(rows, entries) {
            for reference in entry.groups + [entry.synonymOf] where !reference.isEmpty && catalog.entry(reference) == nil {
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "'\(entry.key)' refers to unknown key '\(reference)'")
            }
            for group in entry.groups where catalog.entry(group)?.kind != .group {
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "'\(entry.key)' names '\(group)' as its group, which is not a group")
            }
            if entry.kind == .group && catalog.members(ofGroup: entry.key).count < 2 {
                throw CatalogError.invalidFile(path: url.path, line: row.line, message: "group '\(entry.key)' has fewer than two members")
            }
        }
        return catalog
    }

    public func entry(_ key: String) -> Entry? {
        byKey[key].map { entries[$0] }
    }

    /// Keys of Notion events (not group keys, not retired keys), in file order.
    public var eventKeys: [String] { entries.filter { $0.kind == .event && !$0.isRetired }.map(\.key) }

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

    /// Every entry that is shown and so has text in each language: all but the retired keys that
    /// one key replaces.
    public var shownEntries: [Entry] { entries.filter { !($0.isRetired && $0.kind == .event) } }

    /// The keys a group key stands for, in file order.
    public func members(ofGroup group: String) -> [String] {
        membersByGroup[group] ?? []
    }

    /// The key an input's key is read as: a retired `ui.` key becomes the key that replaces it;
    /// every other key stays as it is.
    public func readKey(_ key: String) -> String {
        if let e = entry(key), e.isRetired, e.kind == .event, !e.synonymOf.isEmpty { return e.synonymOf }
        return key
    }
}
