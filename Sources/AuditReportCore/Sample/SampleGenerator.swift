import Foundation

/// Writes a realistic synthetic month: a Notion audit-log CSV export and a SIEM JSON-lines
/// stream that overlap (the stream starts on the 8th, as if the SIEM integration was set up
/// then, and repeats some events as webhook retries), covering every catalogue key, every
/// audience, guests, bots, bursts, risky changes and hostile values. Deterministic for a seed;
/// streams, so millions of events need no memory.
public struct SampleGenerator {
    public struct Options {
        public var year: Int
        public var month: Int
        public var events: Int
        public var seed: UInt64
        /// Language of the CSV export's headers, labels and dates (`en`: US dates in UTC; `de`:
        /// German dates in Europe/Berlin time).
        public var csvLanguage: String
        /// Day of the month from which the SIEM stream holds events.
        public var siemFromDay: Int
        /// Each input in the order Notion gives it: the CSV export's rows newest first by time,
        /// as Notion's export lists them, and the SIEM stream's lines oldest first by time, as
        /// its webhook delivers the events (a retry right after the first delivery). Otherwise
        /// both come hour by hour, oldest hour first, in no order within the hour (the bundled
        /// examples are so).
        public var asDelivered = false

        public init(year: Int, month: Int, events: Int, seed: UInt64 = 1, csvLanguage: String = "en", siemFromDay: Int = 8) {
            self.year = year
            self.month = month
            self.events = events
            self.seed = seed
            self.csvLanguage = csvLanguage
            self.siemFromDay = siemFromDay
        }
    }

    public struct Result: Equatable {
        public var csvPath: String
        public var siemPath: String
        public var csvRows: Int
        public var siemLines: Int
    }

    public let options: Options
    public let store: LocaleStore

    public init(options: Options, store: LocaleStore) {
        self.options = options
        self.store = store
    }

    /// Zone of the CSV's wall-clock times.
    var csvZone: TimeZone { TimeZone(identifier: options.csvLanguage == "de" ? "Europe/Berlin" : "UTC")! }

    public func write(to directory: URL) throws -> Result {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let month = "\(pad(options.year, 4))-\(pad(options.month, 2))"
        let suffix = options.csvLanguage == "en" ? "" : "-\(options.csvLanguage)"
        let csvPath = directory.appendingPathComponent("sample-\(month)\(suffix).csv").path
        let siemPath = directory.appendingPathComponent("sample-\(month)-siem.jsonl").path
        let csvOutput = try AtomicOutput(path: csvPath)
        let siemOutput = try AtomicOutput(path: siemPath)
        let csvFile = try csvOutput.open()
        let siemFile = try siemOutput.open()
        let pack = try store.pack(options.csvLanguage)
        // Newest first: rows go to a file beside the export first, and are copied in order.
        let rowsPath = options.asDelivered ? csvOutput.temporaryPath + "-rows" : nil
        let rowsFile = try rowsPath.map { try OutputFile(path: $0, displayPath: csvPath) }
        defer {
            if let rowsPath {
                unlink(rowsPath)
                TemporaryFiles.unregister(rowsPath)
            }
        }
        let csv = SampleCSVWriter(file: rowsFile ?? csvFile, pack: pack, zone: ZoneResolver(timeZone: csvZone), recordsLengths: rowsFile != nil)
        let siemFrom = Timestamp(year: options.year, month: options.month, day: options.siemFromDay)
        var siemLines = 0
        var random = SampleRandom(seed: options.seed)
        let workspaceID = random.uuid()
        var script = SampleScript(options: options, store: store, random: &random)
        // As delivered, the stream's lines are held and written in order of time: the script
        // gives the events hour by hour, a few running into the next hour (a burst).
        var held: [(time: Int64, order: Int, line: String)] = []
        var order = 0
        var latestHour = Int64.min
        func writeHeld(before cutoff: Int64) {
            held.sort { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
            let count = held.firstIndex { $0.time >= cutoff } ?? held.count
            for h in held[..<count] { siemFile.write(h.line) }
            held.removeFirst(count)
        }
        try script.run { event in
            csv.write(event)
            if event.timestamp >= siemFrom && store.catalog.entry(event.key)?.keySource != "audit-log" {
                var line = SampleJSON.line(event, workspaceID: workspaceID, bare: event.source.line % 10 == 3)
                siemLines += 1
                if event.source.line % 500 == 7 {
                    // A webhook retry: the same event id delivered again.
                    line += line
                    siemLines += 1
                }
                if options.asDelivered {
                    let hourStart = event.timestamp.milliseconds - event.timestamp.milliseconds % 3_600_000
                    if hourStart > latestHour {
                        // What came before the hour before this one is complete.
                        latestHour = hourStart
                        writeHeld(before: hourStart - 3_600_000)
                    }
                    held.append((event.timestamp.milliseconds, order, line))
                    order += 1
                } else {
                    siemFile.write(line)
                }
            }
        }
        writeHeld(before: .max)
        if let rowsFile, let rowsPath {
            try rowsFile.close()
            try csv.copyNewestFirst(from: rowsPath, to: csvFile)
        }
        try csvFile.close()
        try siemFile.close()
        try csvOutput.commit()
        try siemOutput.commit()
        return Result(csvPath: csvPath, siemPath: siemPath, csvRows: csv.rows, siemLines: siemLines)
    }
}

/// The CSV export as Notion might write it (no formula neutralization: this is raw input).
final class SampleCSVWriter {
    let file: OutputFile
    let pack: LanguagePack
    let zone: ZoneResolver
    private(set) var rows = 0
    /// Each line's length in bytes (the header's first), and each row's time, when the rows
    /// are to be put newest first.
    private var lengths: [UInt32]?
    private var times: [Int64] = []
    static let usMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    /// A German-language account's export names countries in German.
    static let germanCountries = [
        "Germany": "Deutschland", "Austria": "Österreich", "Switzerland": "Schweiz", "United Kingdom": "Vereinigtes Königreich",
        "United States": "Vereinigte Staaten", "Brazil": "Brasilien", "Nigeria": "Nigeria",
    ]

    init(file: OutputFile, pack: LanguagePack, zone: ZoneResolver, recordsLengths: Bool = false) {
        self.file = file
        lengths = recordsLengths ? [] : nil
        self.pack = pack
        self.zone = zone
        let header = pack.language == "de"
            ? ["Datum", "Nutzer", "E-Mail", "Rolle", "Ereignis", "Plattform", "IP-Adresse", "Stadt", "Land", "Seite", "Zielgruppe", "Teamspace"]
            : ["Date", "User", "Email", "Role", "Event", "Platform", "IP address", "City", "Country", "Page", "Page audience", "Teamspace"]
        row(header)
    }

    func write(_ e: AuditEvent) {
        let c = zone.civil(e.timestamp)
        let time: String
        if pack.language == "de" {
            time = "\(pad(c.day, 2)).\(pad(c.month, 2)).\(c.year) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
        } else {
            let h12 = c.hour % 12 == 0 ? 12 : c.hour % 12
            time = "\(Self.usMonths[c.month - 1]) \(c.day), \(c.year), \(h12):\(pad(c.minute, 2)):\(pad(c.second, 2)) \(c.hour < 12 ? "AM" : "PM")"
        }
        let label = pack.events[e.key]?.ui ?? e.key
        let role = e.role.isEmpty ? "" : (pack.values["role.\(e.role)"] ?? e.role)
        let audience = e.audience.map { pack.audiences[$0.siemValue] ?? $0.siemValue } ?? ""
        let teamspace = e.extras.first?.value ?? ""
        let country = pack.language == "de" ? Self.germanCountries[e.country] ?? e.country : e.country
        row([time, e.actor.name, e.actor.email, role, label, e.platform, e.ipAddress, e.city, country, e.target.name, audience, teamspace])
        // The time as written: to the second.
        if lengths != nil { times.append(e.timestamp.milliseconds / 1000) }
        rows += 1
    }

    private func row(_ fields: [String]) {
        let line = fields.map { field -> String in
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
        file.write(line)
        lengths?.append(UInt32(line.utf8.count))
    }

    /// Writes the header, then the rows newest first (rows of one second last written first),
    /// from the file this writer wrote.
    func copyNewestFirst(from path: String, to out: OutputFile) throws {
        guard let lengths, !lengths.isEmpty else { return }
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        var starts = [Int](repeating: 0, count: lengths.count)
        for index in lengths.indices.dropFirst() { starts[index] = starts[index - 1] + Int(lengths[index - 1]) }
        // Row `r` is line `r + 1` (the header is line 0).
        let order = times.indices.sorted { a, b in times[a] != times[b] ? times[a] > times[b] : a > b }
        data.withUnsafeBytes { bytes in
            func line(_ index: Int) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: bytes[starts[index]..<starts[index] + Int(lengths[index])])
            }
            out.write(line(0))
            for row in order { out.write(line(row + 1)) }
        }
    }
}

/// Notion's webhook body for an event: `{"event": {…}}`, or the bare event as early payloads were.
enum SampleJSON {
    static func line(_ e: AuditEvent, workspaceID: String, bare: Bool) -> String {
        var actor: [JSONObject.Member] = [.init(key: "id", value: .string(e.actor.id)), .init(key: "object", value: .string("user")), .init(key: "type", value: .string(e.actor.type))]
        if e.actor.type == "person" {
            actor.append(.init(key: "person", value: .object(JSONObject([.init(key: "email", value: .string(e.actor.email))]))))
        } else {
            actor.append(.init(key: "name", value: .string(e.actor.name)))
        }
        var details: [JSONObject.Member] = []
        if let audience = e.audience { details.append(.init(key: "page_audience", value: .string(audience.siemValue))) }
        if !e.target.isEmpty {
            if e.target.kind == "teamspace" {
                details.append(.init(key: "target", value: .object(JSONObject([.init(key: "id", value: .string(e.target.id)), .init(key: "name", value: .string(e.target.name)), .init(key: "object", value: .string("teamspace"))]))))
            } else {
                details.append(.init(key: "page_name", value: .string(e.target.name)))
                details.append(.init(key: "target", value: .object(JSONObject([.init(key: "type", value: .string("page_id")), .init(key: "page_id", value: .string(e.target.id))]))))
            }
        }
        for f in e.details {
            if f.name.hasPrefix("entity.") {
                let email = f.value
                details.append(.init(key: "entity", value: .object(JSONObject([.init(key: "object", value: .string("user")), .init(key: "type", value: .string("person")), .init(key: "person", value: .object(JSONObject([.init(key: "email", value: .string(email))])))]))))
            } else if f.name == "duration_in_days" {
                details.append(.init(key: f.name, value: .number(f.value)))
            } else {
                details.append(.init(key: f.name, value: .string(f.value)))
            }
        }
        var event: [JSONObject.Member] = [
            .init(key: "id", value: .string(e.id)),
            .init(key: "timestamp", value: .string(e.timestamp.description)),
            .init(key: "workspace_id", value: .string(workspaceID)),
            .init(key: "actor", value: .object(JSONObject(actor))),
        ]
        if !e.ipAddress.isEmpty { event.append(.init(key: "ip_address", value: .string(e.ipAddress))) }
        if !e.platform.isEmpty { event.append(.init(key: "platform", value: .string(e.platform))) }
        event.append(.init(key: "type", value: .string(e.key)))
        // The SAML toggle arrives in the legacy shape: details under a member named after the type.
        let legacy = e.key == "workspace.settings.enforce_saml_sso_config_updated"
        event.append(.init(key: legacy ? e.key : "details", value: .object(JSONObject(details))))
        let inner = JSONValue.object(JSONObject(event))
        return (bare ? inner : .object(JSONObject([.init(key: "event", value: inner)]))).jsonText + "\n"
    }
}
