/// One audit event after normalization: the same shape whichever input it came from.
public struct AuditEvent: Equatable, Sendable {
    /// Notion's event id; empty when the input has none.
    public var id: String
    /// When it happened, in UTC.
    public var timestamp: Timestamp
    /// The event key as read (`page.viewed`), or the group key a shared UI label resolves to.
    public var key: String
    public var actor: Actor
    /// The actor's workspace role as the CSV export states it (`Owner`, `Member`, …).
    public var role: String
    public var ipAddress: String
    public var platform: String
    public var city: String
    /// Region or state of the place (Panther's IP enrichment, a CSV's region column).
    public var region: String
    public var country: String
    /// Workspace id or name.
    public var workspace: String
    public var target: Target
    /// The audience of the target page, when known.
    public var audience: Audience?
    /// Event-specific details not held in the fields above, flattened to dotted paths.
    public var details: [Field]
    /// Columns of a CSV input that the reader does not know, carried through under their header.
    public var extras: [Field]
    /// Where the event was read.
    public var source: SourceLocation
    /// For an export row whose wall-clock time falls in the hour repeated when daylight saving
    /// ends: which of its two instants this copy has (see `Deduplicator`).
    public var ambiguity: TimeAmbiguity = .none

    public init(
        id: String = "", timestamp: Timestamp, key: String, actor: Actor = Actor(), role: String = "",
        ipAddress: String = "", platform: String = "", city: String = "", region: String = "", country: String = "",
        workspace: String = "", target: Target = Target(), audience: Audience? = nil,
        details: [Field] = [], extras: [Field] = [], source: SourceLocation = SourceLocation(input: 0, line: 0)
    ) {
        self.id = id
        self.timestamp = timestamp
        self.key = key
        self.actor = actor
        self.role = role
        self.ipAddress = ipAddress
        self.platform = platform
        self.city = city
        self.region = region
        self.country = country
        self.workspace = workspace
        self.target = target
        self.audience = audience
        self.details = details
        self.extras = extras
        self.source = source
    }

    /// The value of a detail by its dotted name, or nil.
    public func detail(_ name: String) -> String? {
        details.first(where: { $0.name == name })?.value
    }
}

/// Which instant of a repeated-hour wall-clock time an export row's copy carries. The reader
/// hands on the row at the earlier instant and a twin at the later one; deduplication keeps the
/// twin only where the stream has the same action then, and the row otherwise.
public enum TimeAmbiguity: UInt8, Sendable {
    case none = 0
    case earlier = 1
    case later = 2
}

/// A named text value: a flattened detail or an unknown CSV column.
public struct Field: Equatable, Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The values of `fields` for each of `names`, in that order ("" where a name is missing).
    /// An input's columns come in the order of the names, so each is first looked for where it
    /// should be; the rest are found through a dictionary, so many columns cost linear time.
    static func values(of fields: [Field], for names: [String]) -> [String] {
        var out = [String](repeating: "", count: names.count)
        var lookup: [String: String]?
        var position = 0
        for (i, name) in names.enumerated() {
            if position < fields.count && fields[position].name == name {
                out[i] = fields[position].value
                position += 1
                continue
            }
            if lookup == nil {
                var d: [String: String] = [:]
                for f in fields where d[f.name] == nil { d[f.name] = f.value }
                lookup = d
            }
            out[i] = lookup?[name] ?? ""
        }
        return out
    }
}

/// Who caused an event.
public struct Actor: Equatable, Hashable, Sendable {
    public var id: String
    public var email: String
    public var name: String
    /// `person`, `bot`, `integration`, … as the input says; empty when unknown.
    public var type: String

    public init(id: String = "", email: String = "", name: String = "", type: String = "") {
        self.id = id
        self.email = email
        self.name = name
        self.type = type
    }

    /// A stable identity for grouping: e-mail (case-folded), else id, else name.
    public var identity: String {
        if !email.isEmpty {
            // Most addresses are lower case already: no new string for them.
            return Self.isFolded(email) ? email : email.lowercased()
        }
        if !id.isEmpty { return id }
        return name
    }

    public var isEmpty: Bool { id.isEmpty && email.isEmpty && name.isEmpty }

    /// Whether `text` is its own case fold: no capital, and no byte past ASCII (whose folding
    /// `lowercased()` decides). Checked over the text's bytes in place, eight at a time: through
    /// `UTF8View`'s iterator this had been 4% of the merge, and byte by byte it was still the
    /// most of working out an event's actor for de-duplication.
    @inline(__always)
    static func isFolded(_ text: String) -> Bool {
        if let folded = text.utf8.withContiguousStorageIfAvailable({ bytes in
            guard let base = bytes.baseAddress else { return true }
            var i = 0
            while i + 8 <= bytes.count {
                let w = ByteWord.load(base, i)
                if w & ByteWord.highs != 0 || ByteWord.capitals(w) != 0 { return false }
                i += 8
            }
            while i < bytes.count {
                let b = base[i]
                if b >= 0x80 || b &- 0x41 < 26 { return false }
                i += 1
            }
            return true
        }) {
            return folded
        }
        return !text.utf8.contains { $0 >= 0x80 || ($0 >= 0x41 && $0 <= 0x5A) }
    }
}

/// What an event acted on: a page, a teamspace, a database, or nothing known.
public struct Target: Equatable, Hashable, Sendable {
    /// `page`, `teamspace`, `database`, … ; empty when there is no target.
    public var kind: String
    public var id: String
    public var name: String

    public init(kind: String = "", id: String = "", name: String = "") {
        self.kind = kind
        self.id = id
        self.name = name
    }

    public var isEmpty: Bool { id.isEmpty && name.isEmpty }
}

/// The input (by its index in the run's input list) and 1-based line an event was read from.
public struct SourceLocation: Equatable, Hashable, Sendable, Comparable {
    public var input: Int
    public var line: Int

    public init(input: Int, line: Int) {
        self.input = input
        self.line = line
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.input, lhs.line) < (rhs.input, rhs.line)
    }
}
