import Foundation

/// The column of each known field, looked up by the field's position (no hashing per cell).
struct FieldColumns {
    private var columns = [Int](repeating: -1, count: CSVField.allCases.count)

    subscript(field: CSVField) -> Int? {
        get {
            let c = columns[field.ordinal]
            return c < 0 ? nil : c
        }
        set { columns[field.ordinal] = newValue ?? -1 }
    }
}

/// Reads Notion's audit-log CSV export, and Panther's CSV rows (a JSON `event` column plus
/// `p_*` columns). Columns are found by header name through `Locales/columns.tsv`; the event cell
/// may hold a key or a UI label in any shipped language; unknown columns are carried through.
struct AuditCSVReader {
    let tokenizer: CSVTokenizer
    let context: ReadContext
    private let countryCache = CountryCache()
    private let audiences: AudienceLookup

    /// Column positions of the known fields, and the unknown ones with their header text.
    struct Layout {
        var fields = FieldColumns()
        var extras: [(index: Int, name: String)] = []
        var header: [String] = []
        var pantherEventColumn: Int?
        var pantherTimeColumn: Int?
        var pantherEnrichmentColumn: Int?
        /// The zone the time column's header names (`Time (UTC)`), which its zone-less times are in.
        var timeZone: TimeZone?
    }

    init(reader: ByteReader, context: ReadContext) {
        tokenizer = CSVTokenizer(reader: reader, delimiter: CSVTokenizer.detectDelimiter(reader.lookahead()))
        self.context = context
        audiences = AudienceLookup(store: context.store)
    }

    /// - Throws: `ReadError` (missing columns, unterminated quote, …), `StrictModeError`.
    func read(into summary: inout ReadSummary, _ sink: (consuming AuditEvent) throws -> Void) throws {
        let path = tokenizer.reader.path
        var record = CSVRecord()
        try tokenizer.nextNonBlank(into: &record)
        let headerLine = record.line
        let layout = try self.layout(record)
        if layout.pantherEventColumn != nil {
            summary.kind = .pantherCSV
            summary.shapes = ["panther"]
        }
        let zone = ZoneResolver(timeZone: layout.timeZone ?? context.inputTimeZone)
        if layout.pantherEventColumn == nil && [CSVField.actorName, .actorEmail, .actorID].allSatisfy({ layout.fields[$0] == nil }) {
            let expected = [CSVField.actorName, .actorEmail].compactMap { context.store.columns.aliases[$0]?.first }.map { "'\($0)'" }.joined(separator: " or ")
            try context.diagnostics.emit(
                Diagnostic(file: path, line: headerLine, "no column names who acted (such as \(expected)); the events are read without a person"))
        }
        let normalizer = SIEMEventNormalizer(store: context.store)
        var warnedAudiences = Set<String>()
        // Cells repeat (people, places, pages): their texts are made once and shared.
        let strings = StringInterner()
        // Event cells repeat: resolve each distinct text once (found again by the identity of
        // the cell's shared text first, which needs no hashing of it).
        var resolved: [String: String] = [:]
        var resolvedByIdentity = TextIdentityCache<String>(slots: 256)
        var strayReported = 0
        while try tokenizer.next(into: &record) {
            if record.isBlank { continue }
            let line = record.line
            if tokenizer.strayQuoteLines.count > strayReported {
                strayReported = tokenizer.strayQuoteLines.count
                try context.diagnostics.emit(Diagnostic(file: path, line: line, "text after a closing quote; kept as written"))
            }
            if record.count == layout.header.count, Self.repeatsHeader(record, layout) {
                // Exports joined with `cat` repeat the header: it is no event.
                try context.diagnostics.emit(Diagnostic(.note, file: path, line: line, "the header row again; passed over"))
                continue
            }
            guard record.count == layout.header.count else {
                summary.skipped += 1
                try context.diagnostics.emit(Diagnostic(file: path, line: line, "expected \(layout.header.count) fields as in the header, found \(record.count); row skipped"))
                continue
            }
            var invalidColumns: [String] = []
            // The row as a constant: read through the loop's variable, each cell had copied the
            // record (retaining and releasing its memory) for the call.
            let row = record
            func text(_ index: Int?) -> String {
                guard let index else { return "" }
                // A cell this tool's CSV writer neutralized (`'=…`) reads as what it was.
                if let s = row.string(index, strings: strings) { return row.fieldBytes(index).first == 0x27 ? CSVWriter.unneutralize(s) : s }
                invalidColumns.append(layout.header[index])
                return row.repairedString(index)
            }
            let source = SourceLocation(input: context.inputIndex, line: line)
            var event: AuditEvent
            var zoneLess: CivilDateTime?
            var local: CivilDateTime?
            if let eventColumn = layout.pantherEventColumn {
                let outcome = SIEMRecordUnwrapper.withEnrichment(
                    SIEMRecordUnwrapper.fromEmbedded(text(eventColumn), path: path, line: line, fallbackTime: layout.pantherTimeColumn.map { text($0) }, shape: "panther"),
                    layout.pantherEnrichmentColumn.map { JSONValue.string(text($0)) })
                guard case .event(let object, let fallbackTime, _) = outcome else {
                    summary.skipped += 1
                    if case .problem(let message) = outcome {
                        try context.diagnostics.emit(Diagnostic(file: path, line: line, message + "; row skipped"))
                    }
                    continue
                }
                switch normalizer.normalize(object, fallbackTime: fallbackTime, source: source) {
                case .success(let e): event = e
                case .failure(let problem):
                    summary.skipped += 1
                    try context.diagnostics.emit(Diagnostic(file: path, line: line, problem.message + "; row skipped"))
                    continue
                }
            } else {
                let timeColumn = layout.fields[.timestamp]!
                guard let parsed = record.withField(timeColumn, TimestampParser.parse(bytes:)) else {
                    summary.skipped += 1
                    let timeText = text(timeColumn)
                    let shown = timeText.isEmpty ? "an empty time" : "unrecognized timestamp '\(timeText.prefix(60))'"
                    try context.diagnostics.emit(Diagnostic(file: path, line: line, "\(shown); row skipped"))
                    continue
                }
                if case .local(let c) = parsed, layout.timeZone == nil, let reads = context.readsZoneLessRow, !reads(c) { continue }
                let keyText = text(layout.fields[.eventKey]).trimmingSpaces()
                let eventText = keyText.isEmpty ? text(layout.fields[.event]).trimmingSpaces() : keyText
                guard !eventText.isEmpty else {
                    summary.skipped += 1
                    try context.diagnostics.emit(Diagnostic(file: path, line: line, "the event cell is empty; row skipped"))
                    continue
                }
                let timestamp: Timestamp
                switch parsed {
                case .instant(let t): timestamp = t
                case .local(let c):
                    timestamp = zone.instant(ofLocal: c)
                    local = c
                    if layout.timeZone == nil { zoneLess = c }
                }
                let key: String
                if let known = resolvedByIdentity.value(eventText) {
                    key = known
                } else if let known = resolved[eventText] {
                    key = known
                    resolvedByIdentity.remember(eventText, key)
                } else {
                    key = context.store.resolveEvent(eventText) ?? eventText
                    if resolved.count < 100_000 { resolved[eventText] = key }
                    resolvedByIdentity.remember(eventText, key)
                }
                event = AuditEvent(id: text(layout.fields[.eventID]), timestamp: timestamp, key: key, source: source)
                if let unknown = fill(&event, from: layout, text: text, path: path, line: line), warnedAudiences.insert(unknown).inserted {
                    try context.diagnostics.emit(Diagnostic(file: path, line: line, "unknown page audience '\(unknown)'; kept as a detail"))
                }
            }
            for extra in layout.extras {
                event.extras.append(Field(extra.name, text(extra.index)))
            }
            var twin: AuditEvent?
            if let zoneLess, let hook = context.onZoneLessTime, let other = hook(zoneLess, event) { event.timestamp = other }
            if let local {
                if let later = zone.laterInstant(ofLocal: local) {
                    event.ambiguity = .earlier
                    twin = event
                    twin?.timestamp = later
                    twin?.ambiguity = .later
                }
            }
            if !invalidColumns.isEmpty {
                try context.diagnostics.emit(Diagnostic(file: path, line: line, "invalid UTF-8 in column \(invalidColumns.map { "'\($0)'" }.joined(separator: ", ")), replaced with U+FFFD"))
            }
            summary.events += 1
            try sink(consume event)
            if let twin { try sink(twin) }
        }
    }

    /// Fills the fields of an export row.
    /// - Returns: the audience cell's text when it names no known level.
    private func fill(_ event: inout AuditEvent, from layout: Layout, text: (Int?) -> String, path: String, line: Int) -> String? {
        event.actor.name = text(layout.fields[.actorName])
        event.actor.email = text(layout.fields[.actorEmail])
        event.actor.id = text(layout.fields[.actorID])
        event.actor.type = text(layout.fields[.actorType])
        if event.actor.email.isEmpty && event.actor.name.contains("@") && !event.actor.name.contains(" ") {
            event.actor.email = event.actor.name
        }
        event.role = text(layout.fields[.role])
        event.platform = text(layout.fields[.platform])
        event.ipAddress = text(layout.fields[.ipAddress])
        event.city = text(layout.fields[.city])
        event.region = text(layout.fields[.region])
        event.country = text(layout.fields[.country])
        if event.city.isEmpty && event.country.isEmpty, layout.fields[.location] != nil {
            // "Berlin, Germany" → city and country; a lone word is a country.
            let location = text(layout.fields[.location])
            if let comma = location.lastIndex(of: ",") {
                event.city = String(location[..<comma]).trimmingSpaces()
                event.country = String(location[location.index(after: comma)...]).trimmingSpaces()
            } else {
                event.country = location.trimmingSpaces()
            }
        }
        event.workspace = text(layout.fields[.workspace])
        for (field, name) in [(CSVField.teamspace, "teamspace"), (.organization, "organization"), (.related, "related")] {
            let value = text(layout.fields[field])
            if !value.isEmpty { event.details.append(Field(name, value)) }
        }
        let pageName = text(layout.fields[.pageName])
        let pageID = text(layout.fields[.pageID])
        let target = text(layout.fields[.target])
        event.target.name = pageName.isEmpty ? target : pageName
        event.target.id = pageID
        if !event.target.isEmpty {
            let kind = text(layout.fields[.targetType]).lowercased()
            event.target.kind = kind.isEmpty ? "page" : kind
        }
        var unknownAudience: String?
        let audienceText = text(layout.fields[.audience]).trimmingSpaces()
        if !audienceText.isEmpty {
            if let level = audiences(audienceText) {
                event.audience = level
            } else {
                event.details.append(Field("page_audience", audienceText))
                unknownAudience = audienceText
            }
        }
        let details = text(layout.fields[.details])
        if !details.isEmpty {
            if details.hasPrefix("{"), let value = try? JSONParser.parse(details, path: path, line: line), let object = value.objectValue {
                for member in object.members {
                    SIEMEventNormalizer.flatten(member.value, name: member.key, into: &event.details, depth: 0)
                }
            } else {
                event.details.append(Field("details", details))
            }
        }
        if !event.country.isEmpty { event.country = country(event.country) }
        return unknownAudience
    }

    /// The ISO code of a country cell (repeated cells are looked up once per reader).
    private func country(_ text: String) -> String {
        // By the cell's identity first (it recurs as the same String), then by its text.
        if let known = countryCache.byIdentity.value(text) { return known }
        let code: String
        if let known = countryCache.codes[text] {
            code = known
        } else {
            code = context.store.country(text)
            if countryCache.codes.count < 10_000 { countryCache.codes[text] = code }
        }
        countryCache.byIdentity.remember(text, code)
        return code
    }


    /// Whether a row holds the header's names again (checked on the time cell first, so an
    /// ordinary row costs one comparison).
    static func repeatsHeader(_ record: CSVRecord, _ layout: Layout) -> Bool {
        guard let time = layout.fields[.timestamp] ?? layout.pantherEventColumn,
            record.withField(time, { $0.elementsEqual(layout.header[time].utf8) })
        else { return false }
        return (0..<record.count).allSatisfy { record.repairedString($0).trimmingSpaces() == layout.header[$0] }
    }

    /// Maps the header to fields.
    /// - Throws: `ReadError.missingColumns` when the time or the event column is missing.
    func layout(_ header: CSVRecord) throws -> Layout {
        let path = tokenizer.reader.path
        var layout = Layout()
        var claimed = Set<Int>()
        for index in 0..<header.count {
            let name = header.repairedString(index).trimmingSpaces()
            layout.header.append(name)
            if name == "p_enrichment" { layout.pantherEnrichmentColumn = index }
            // Panther's own names, noted before the export aliases (they count only in a Panther file).
            if name == "event" && layout.pantherEventColumn == nil { layout.pantherEventColumn = index }
            if name == "p_event_time" && layout.pantherTimeColumn == nil { layout.pantherTimeColumn = index }
            if let field = context.store.columns.field(forHeader: name), layout.fields[field] == nil {
                layout.fields[field] = index
                claimed.insert(index)
            } else if layout.fields[.timestamp] == nil, let zone = context.store.columns.timeColumnZone(forHeader: name) {
                layout.fields[.timestamp] = index
                layout.timeZone = zone
                claimed.insert(index)
            }
        }
        let isPanther = layout.header.contains { $0.hasPrefix("p_") } && layout.pantherEventColumn != nil
        if isPanther {
            claimed.formUnion(layout.header.indices.filter { layout.header[$0].hasPrefix("p_") })
            if let column = layout.pantherEventColumn { claimed.insert(column) }
        }
        // Every other column is carried through; a name met before gets a number, so none is lost.
        var names = Set(claimed.map { layout.header[$0] })
        for (index, name) in layout.header.enumerated() where !claimed.contains(index) {
            var unique = name
            var n = 2
            while names.contains(unique) {
                unique = "\(name) (\(n))"
                n += 1
            }
            names.insert(unique)
            layout.extras.append((index, unique))
        }
        if !isPanther {
            layout.pantherEventColumn = nil
            layout.pantherTimeColumn = nil
            var missing: [String] = []
            if layout.fields[.timestamp] == nil { missing.append(context.store.columns.aliases[.timestamp]?.first ?? "timestamp") }
            if layout.fields[.event] == nil && layout.fields[.eventKey] == nil { missing.append(context.store.columns.aliases[.event]?.first ?? "event") }
            if !missing.isEmpty {
                throw ReadError.missingColumns(path: path, line: header.line, missing: missing, header: layout.header)
            }
        }
        return layout
    }
}

/// Country cells already looked up by one reader (a reader is used on one thread).
private final class CountryCache {
    var codes: [String: String] = [:]
    var byIdentity = TextIdentityCache<String>(slots: 256)
}
