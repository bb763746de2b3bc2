import Foundation

/// What a reader needs besides its bytes: the catalogue, where its events are numbered from,
/// the zone of zone-less CSV times, and where to report problems.
public struct ReadContext {
    public var store: LocaleStore
    /// The input's index in the run (events carry it as their source).
    public var inputIndex: Int
    /// Zone of CSV timestamps that name none (Notion does not document it; UTC by default).
    public var inputTimeZone: TimeZone
    /// The inputs' text encoding when `--input-encoding` gives it; worked out per file otherwise.
    public var inputEncoding: TextEncoding?
    public var diagnostics: DiagnosticsEngine
    /// Told the file bytes read so far, every few thousand events (for a progress display).
    public var onProgress: ((Int64) -> Void)?
    /// Where access-request tickets go; nil when the job has no use for them (an error then).
    public var onTicket: ((Ticket) throws -> Void)?
    /// Told of each export row whose time names no zone, with its wall-clock time and the event
    /// as read (its time converted with `inputTimeZone`); may return another instant for it (the
    /// other one of a time in the hour repeated when daylight saving ends).
    public var onZoneLessTime: ((CivilDateTime, AuditEvent) -> Timestamp?)?
    /// Asked first, with the wall-clock time alone, whether such a row is read at all: a row it
    /// turns down is passed over before its cells are made into an event (neither handed on nor
    /// counted). The zone inference samples a window of the export and so skips the rest cheaply.
    public var readsZoneLessRow: ((CivilDateTime) -> Bool)?
    /// Take the input's SHA-256 while reading it (`ReadSummary.sha256`).
    public var hashesInput = false

    public init(store: LocaleStore, inputIndex: Int, inputTimeZone: TimeZone, diagnostics: DiagnosticsEngine) {
        self.store = store
        self.inputIndex = inputIndex
        self.inputTimeZone = inputTimeZone
        self.diagnostics = diagnostics
    }
}

/// What reading one input gave.
public struct ReadSummary: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case auditCSV = "csv-export"
        case pantherCSV = "panther-csv"
        case siemJSON = "siem-json"
        case ticketsCSV = "tickets-csv"
    }

    public var path: String
    public var kind: Kind
    /// The JSON shapes met (`json-lines`, `splunk`, `datadog`, …), for the inputs table.
    public var shapes: [String] = []
    public var events = 0
    /// Records that held no usable event (each one warned about).
    public var skipped = 0
    /// Splunk preview rows passed over, as the export format asks.
    public var previewRows = 0
    public var bytes: Int64 = 0
    /// The SHA-256 of the file as on disk, when the context asked for it and the file was read
    /// to its end; nil otherwise.
    public var sha256: String?

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}
