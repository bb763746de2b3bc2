import Foundation

/// Turns keys, levels, numbers and instants into the words and forms of one language and one
/// time zone. Every renderer gets its text here; none holds a user-visible string of its own.
///
/// Not thread-safe (it caches zone offsets): each thread uses its own.
public final class Localizer {
    public let store: LocaleStore
    public let pack: LanguagePack
    private let base: LanguagePack
    public var timeZone: TimeZone { zone.timeZone }
    private let zone: ZoneResolver
    private var valueCache: [String: [String: String]] = [:]
    /// The same labels by their texts' identity (asked for each event's platform, role, …).
    private var valueIdentity = TextIdentityCache<String>(slots: 256)
    private var countryIdentity = TextIdentityCache<String>(slots: 256)
    private var patternCache: [String: [PatternToken]] = [:]
    /// The pattern asked for last and its tokens: the events' time column asks for the same one
    /// each row, and a text compared with itself is not hashed.
    private var lastPattern = (pattern: "", tokens: [PatternToken]())
    private var keyLabels: [String: (event: String, category: String)] = [:]
    /// The same by the key's identity (each events row asks for both labels of its key).
    private var keyIdentity = TextIdentityCache<(event: String, category: String)>(slots: 512)
    /// Per audience level (by its raw value), its label once looked up; the last slot is "none".
    private var audienceLabels = [String?](repeating: nil, count: 6)
    /// Detail names' labels by the name's identity.
    private var detailIdentity = TextIdentityCache<(label: String, kind: String?)>(slots: 256)
    /// The text of a single detail by its name's and value's identity.
    private var singleDetails = TextIdentityCache<String>(slots: 1024)
    /// Per detail name: its label, and the value vocabulary it takes (each events row asks).
    private var detailNames: [String: (label: String, kind: String?)] = [:]

    /// A piece of a date pattern: text as it stands, or a field (its letter as an ASCII byte,
    /// and how many times it is written).
    enum PatternToken {
        case literal([UInt8])
        case field(UInt8, Int)
    }

    public init(store: LocaleStore, language: String, timeZone: TimeZone) throws {
        self.store = store
        pack = try store.pack(language)
        base = try store.pack(LocaleStore.baseLanguage)
        zone = ZoneResolver(timeZone: timeZone)
    }

    /// A localizer of the same language and zone for another thread.
    public func copy() throws -> Localizer {
        try Localizer(store: store, language: pack.language, timeZone: timeZone)
    }

    public var catalog: EventCatalog { store.catalog }
    public var language: String { pack.language }

    // MARK: strings

    /// The UI string `id`, falling back to English, then to the id itself (`locales check`
    /// reports both as missing).
    public func string(_ id: String) -> String {
        pack.strings[id] ?? base.strings[id] ?? id
    }

    /// The UI string `id` in English, for messages on the terminal (which are English).
    public func englishString(_ id: String) -> String {
        base.strings[id] ?? id
    }

    /// The UI string `id` with `{name}` placeholders filled in.
    /// Placeholders are filled in one pass over the string: a value that itself holds `{name}`
    /// (a file named `{zone}.csv`) stays as it is.
    /// With `count` "1", the singular `id.one` where the language has one ("1 Ereignis").
    public func string(_ id: String, _ arguments: [String: String]) -> String {
        let singular = arguments["count"] == "1" ? pack.strings[id + ".one"] ?? (pack.strings[id] == nil ? base.strings[id + ".one"] : nil) : nil
        let template = singular ?? string(id)
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}"), let value = arguments[String(rest[rest.index(after: open)..<close])] else {
                out.append("{")
                rest = rest[rest.index(after: open)...]
                continue
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    // MARK: events

    /// Whether the catalogue knows `key`.
    public func isMapped(_ key: String) -> Bool { catalog.entry(key) != nil }

    /// The report label of an event key: specific even where Notion's UI label is shared; for a
    /// key in no catalogue, a label built from the key with the "unmapped" marker.
    public func eventLabel(_ key: String) -> String {
        labels(ofKey: key).event
    }

    /// A key's event and category labels, worked out once per key (each row of an events
    /// sheet asks for both).
    private func labels(ofKey key: String) -> (event: String, category: String) {
        if let known = keyIdentity.value(key) { return known }
        if let cached = keyLabels[key] {
            keyIdentity.remember(key, cached)
            return cached
        }
        let event: String
        if let text = pack.events[key] ?? base.events[key], !text.report.isEmpty { event = text.report } else { event = fallbackLabel(key) }
        let labels = (event, categoryLabel(catalog.category(of: key)))
        if keyLabels.count < 100_000 { keyLabels[key] = labels }
        return labels
    }

    /// "workspace.foo_bar_updated" → "Workspace: foo bar updated (unmapped)"; a free-text label is kept as it is.
    public func fallbackLabel(_ key: String) -> String {
        let marker = string("label.unmapped_marker")
        guard LocaleStore.looksLikeKey(key) else { return key + marker }
        var parts = key.split(separator: ".").map(String.init)
        if parts.first == "ui" { parts.removeFirst() }
        guard let head = parts.first else { return key + marker }
        let prefix = pack.categories[head] ?? base.categories[head] ?? head.capitalized
        let rest = parts.dropFirst().joined(separator: " ").replacingOccurrences(of: "_", with: " ")
        return (rest.isEmpty ? prefix : "\(prefix): \(rest)") + marker
    }

    /// The category of `key`, as a word of this language.
    public func categoryLabel(ofKey key: String) -> String {
        labels(ofKey: key).category
    }

    public func categoryLabel(_ category: String) -> String {
        pack.categories[category] ?? base.categories[category] ?? category
    }

    /// "+12 since September 2026", "−3 since …", "unchanged since …".
    public func deltaText(_ delta: Int, since month: String) -> String {
        let name = monthTitle(month)
        if delta == 0 { return string("figure.unchanged", ["month": name]) }
        return string("figure.delta", ["delta": (delta > 0 ? "+" : "\u{2212}") + number(abs(delta)), "month": name])
    }

    /// The title of a month given as `YYYY-MM` ("October 2026"; "Oct 26" short); the text as it
    /// is when it is no month.
    public func monthTitle(_ identifier: String, short: Bool = false) -> String {
        let parts = identifier.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return identifier }
        if short { return String(pack.format.monthNames[m - 1].prefix(3)) + " " + String(parts[0].suffix(2)) }
        return monthTitle(year: y, month: m)
    }

    /// A count with its noun in the right number: "1 hour", "3 hours", "1 Stunde", "3 Stunden"
    /// (strings `unit.<noun>.one` and `unit.<noun>.other`).
    public func count(_ n: Int, _ noun: String) -> String {
        string("unit.\(noun).\(n == 1 ? "one" : "other")", ["count": number(n)])
    }

    /// A country in this language: the name of an ISO code read from an input, or the text as
    /// the input wrote it.
    public func countryName(_ country: String) -> String {
        // Codes are two ASCII letters: counted in bytes, not characters (this runs per row).
        guard country.utf8.count == 2 else { return country }
        if let known = countryIdentity.value(country) { return known }
        let name = store.countries.name(country, language: pack.language) ?? country
        countryIdentity.remember(country, name)
        return name
    }

    /// The audience level's label, or the "no audience" word.
    public func audienceLabel(_ audience: Audience?) -> String {
        let slot = Int(audience?.rawValue ?? 5)
        if let known = audienceLabels[slot] { return known }
        let label: String
        if let audience {
            label = pack.audiences[audience.siemValue] ?? base.audiences[audience.siemValue] ?? audience.siemValue
        } else {
            label = string("audience.none")
        }
        audienceLabels[slot] = label
        return label
    }

    /// The localized name of a value of kind `kind` (`permission`, `role`, `state`, `platform`,
    /// `actor_type`, `target_type`); the value as written when there is none.
    public func valueLabel(_ kind: String, _ raw: String) -> String {
        if raw.isEmpty { return raw }
        if let known = valueIdentity.value(raw, kind) { return known }
        if let cached = valueCache[kind]?[raw] {
            valueIdentity.remember(raw, kind, cached)
            return cached
        }
        let id = "\(kind).\(raw.lowercased())"
        // The export writes values as the UI shows them ("Workspace owner"), the stream as keys
        // ("workspace_owner"): both find the same entry.
        let keyed = "\(kind).\(raw.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_"))"
        let label = pack.values[id] ?? base.values[id] ?? pack.values[keyed] ?? base.values[keyed] ?? raw
        if valueCache[kind, default: [:]].count < 10_000 { valueCache[kind, default: [:]][raw] = label }
        return label
    }

    // MARK: numbers

    /// An integer with the language's grouping separator: `1.234.567` / `1,234,567`.
    public func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += pack.format.groupingSeparator }
            out.append(c)
        }
        return out
    }

    /// A decimal with `places` digits after the language's decimal separator.
    public func decimal(_ value: Double, places: Int = 1) -> String {
        let scale = pow(10.0, Double(places))
        let rounded = (value * scale).rounded() / scale
        let whole = Int(rounded.magnitude.rounded(.down))
        var text = (rounded < 0 ? "-" : "") + number(whole)
        if places > 0 {
            let fraction = Int(((rounded.magnitude - Double(whole)) * scale).rounded())
            text += pack.format.decimalSeparator + pad(fraction, places)
        }
        return text
    }

    // MARK: dates

    /// The wall-clock fields of `timestamp` in the report's zone.
    public func civil(_ timestamp: Timestamp) -> CivilDateTime { zone.civil(timestamp) }

    /// The instant of a wall-clock time in the report's zone.
    public func instant(ofLocal c: CivilDateTime) -> Timestamp { zone.instant(ofLocal: c) }

    /// Date and time in the language's form, in the report's zone: `15.05.2023 21:14:05`.
    public func dateTime(_ timestamp: Timestamp) -> String {
        format(civil(timestamp), pattern: pack.format.dateTime)
    }

    /// The date in the language's form, in the report's zone.
    public func date(_ timestamp: Timestamp) -> String {
        format(civil(timestamp), pattern: pack.format.date)
    }

    /// Fills a pattern of `yyyy MMMM MM dd d HH mm ss EEEE` (compiled once per pattern), in one
    /// buffer on the stack: the events' time column asks for one per event. The text is made
    /// from it at its size (made in place, it kept the buffer's room for 20 digits a field, and
    /// the tables of a busy month hold tens of thousands of such texts).
    public func format(_ c: CivilDateTime, pattern: String) -> String {
        let tokens: [PatternToken]
        if pattern == lastPattern.pattern {
            tokens = lastPattern.tokens
        } else {
            tokens = patternCache[pattern] ?? compile(pattern)
            lastPattern = (pattern, tokens)
        }
        var capacity = 0
        for token in tokens {
            switch token {
            case .literal(let bytes): capacity += bytes.count
            case .field(UInt8(ascii: "M"), let n) where n >= 4: capacity += pack.format.monthNames[c.month - 1].utf8.count
            case .field(UInt8(ascii: "E"), _): capacity += pack.format.weekdayNames[c.isoWeekday - 1].utf8.count
            case .field: capacity += 20
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var end = 0
            func append(_ text: String) {
                for byte in text.utf8 {
                    buffer[end] = byte
                    end += 1
                }
            }
            /// `value` in decimal, at least `width` digits.
            func digits(_ value: Int, _ width: Int) {
                if value < 0 {
                    buffer[end] = UInt8(ascii: "-")
                    end += 1
                }
                var magnitude = value.magnitude
                var count = 1
                var rest = magnitude / 10
                while rest > 0 {
                    count += 1
                    rest /= 10
                }
                let total = max(count, width)
                for i in stride(from: end + total - 1, through: end, by: -1) {
                    buffer[i] = UInt8(48 + magnitude % 10)
                    magnitude /= 10
                }
                end += total
            }
            for token in tokens {
                switch token {
                case .literal(let bytes):
                    for byte in bytes {
                        buffer[end] = byte
                        end += 1
                    }
                case .field(let letter, let n):
                    switch letter {
                    case UInt8(ascii: "y"): if n == 2 { digits(c.year % 100, 2) } else { digits(c.year, 4) }
                    case UInt8(ascii: "M"): if n >= 4 { append(pack.format.monthNames[c.month - 1]) } else { digits(c.month, n == 1 ? 1 : 2) }
                    case UInt8(ascii: "d"): digits(c.day, n == 1 ? 1 : 2)
                    case UInt8(ascii: "H"): digits(c.hour, n == 1 ? 1 : 2)
                    case UInt8(ascii: "m"): digits(c.minute, 2)
                    case UInt8(ascii: "s"): digits(c.second, 2)
                    default: append(pack.format.weekdayNames[c.isoWeekday - 1])
                    }
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<end]), as: UTF8.self)
        }
    }

    private func compile(_ pattern: String) -> [PatternToken] {
        var tokens: [PatternToken] = []
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            var n = 1
            while i + n < chars.count && chars[i + n] == ch { n += 1 }
            if "yMdHmsE".contains(ch), let letter = ch.asciiValue {
                tokens.append(.field(letter, n))
            } else {
                tokens.append(.literal(Array(String(repeating: String(ch), count: n).utf8)))
            }
            i += n
        }
        patternCache[pattern] = tokens
        return tokens
    }

    /// The month's name and year: "Oktober 2026".
    public func monthTitle(year: Int, month: Int) -> String {
        format(CivilDateTime(year: year, month: month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0), pattern: string("format.month_title"))
    }

    /// The zone as readers know it, with its IANA name: "MEZ/MESZ (Europe/Berlin)".
    public func timeZoneLabel(_ zone: TimeZone? = nil) -> String {
        let timeZone = zone ?? self.timeZone
        if ZoneResolver.isUTC(timeZone) { return "UTC" }
        let locale = Locale(identifier: pack.locale)
        let standard = timeZone.localizedName(for: .shortStandard, locale: locale) ?? timeZone.identifier
        let daylight = timeZone.localizedName(for: .shortDaylightSaving, locale: locale) ?? standard
        let names = standard == daylight || timeZone.nextDaylightSavingTimeTransition == nil ? standard : "\(standard)/\(daylight)"
        return names == timeZone.identifier ? names : "\(names) (\(timeZone.identifier))"
    }

    /// The zone for a column header, without nested parentheses: "MEZ/MESZ, Europe/Berlin".
    public func timeZoneShortLabel() -> String {
        let label = timeZoneLabel()
        guard label.hasSuffix(")"), let open = label.lastIndex(of: "(") else { return label }
        return label[..<open].trimmingCharacters(in: .whitespaces) + ", " + label[label.index(after: open)..<label.index(before: label.endIndex)]
    }
}

extension Localizer {
    /// A finding's title: from the locale, else from the rule's own titles, else its id.
    public func findingTitle(_ id: String, rule: FindingRule?) -> String {
        pack.strings["finding.\(id).title"] ?? rule?.titles?[language] ?? base.strings["finding.\(id).title"] ?? rule?.titles?[LocaleStore.baseLanguage] ?? id
    }

    public func findingExplanation(_ id: String, rule: FindingRule?) -> String {
        pack.strings["finding.\(id).explanation"] ?? rule?.explanations?[language] ?? base.strings["finding.\(id).explanation"] ?? rule?.explanations?[LocaleStore.baseLanguage] ?? ""
    }

    /// "5 findings: 2 high, …" or the sentence saying there are none.
    public func findingsSummary(_ findings: [Finding], ruleCount: Int) -> String {
        if findings.isEmpty { return string("findings.none", ["rules": number(ruleCount)]) }
        func n(_ s: Severity) -> String { number(findings.count { $0.severity == s }) }
        return string("findings.summary", ["count": number(findings.count), "high": n(.high), "medium": n(.medium), "low": n(.low), "info": n(.info)])
    }
}

extension Localizer {
    /// Which value vocabulary a detail's values come from.
    static let detailValueKinds: [String: String] = [
        "old_permission": "permission", "new_permission": "permission", "permission": "permission",
        "role": "role", "new_role": "role", "old_role": "role", "state": "state", "authType": "auth_type",
        "page_audience": "audience", "ip.tor_exit_node": "flag",
        "entity.type": "actor_type", "member.type": "actor_type", "entity.object": "actor_type", "member.object": "actor_type",
    ]

    /// Whether a detail says nothing a reader needs: the API's `object: "user"` beside the
    /// user's own type (`entity.object` next to `entity.type`).
    static func isRedundant(_ field: Field, in details: [Field]) -> Bool {
        guard field.name.hasSuffix(".object"), field.value == "user" else { return false }
        let type = field.name.dropLast("object".count) + "type"
        return details.contains { $0.name == type }
    }

    /// Details as readable text: "New permission: Full access; Role: Owner", with known names and
    /// values in this language and the rest as written.
    public func detailsText(_ details: [Field]) -> String {
        // Most events have one detail, and a few texts recur (a teamspace): found by the
        // name's and value's identity, the text is made once.
        guard details.count == 1 else { return composeDetails(details) }
        let field = details[0]
        if let known = singleDetails.value(field.name, field.value) { return known }
        let text = composeDetails(details)
        singleDetails.remember(field.name, field.value, text)
        return text
    }

    private func composeDetails(_ details: [Field]) -> String {
        var text = ""
        for field in details where !Self.isRedundant(field, in: details) {
            let name = detailName(field.name)
            if !text.isEmpty { text += "; " }
            text += name.label
            text += ": "
            text += name.kind.map { valueLabel($0, field.value) } ?? field.value
        }
        return text
    }

    private func detailName(_ name: String) -> (label: String, kind: String?) {
        if let known = detailIdentity.value(name) { return known }
        if let known = detailNames[name] {
            detailIdentity.remember(name, known)
            return known
        }
        let entry = (pack.strings["detail.\(name)"] ?? name, Self.detailValueKinds[name])
        if detailNames.count < 10_000 { detailNames[name] = entry }
        return entry
    }
}
