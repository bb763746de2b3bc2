import Foundation

/// Decodes one JSON line of the shape Notion's webhook and most SIEMs store (Notion's body
/// `{"event": {…}}` or the bare event) straight into an `AuditEvent`, without a JSON tree.
///
/// It knows only that shape: the event's members `id`, `timestamp`, `workspace_id`,
/// `workspace_name`, `ip_address`, `platform`, `type` as strings, `actor` (`id`, `object`,
/// `type`, `name`, `email`, `person` with `email` and `name`), and `details` with string members
/// and a `target` (`{"type": "<kind>_id", "<kind>_id": …}`, `{id, object, name}` or a string). Anything else (another
/// member, a number, null, a lone surrogate, invalid UTF-8, a repeated member, a wrapper of another SIEM,
/// no type or time, a time it cannot read) gives nil, and the line goes the general way
/// (`JSONParser`, `SIEMRecordUnwrapper`, `SIEMEventNormalizer`), which also words every problem.
/// What it returns is what the general way makes of the same line (a test compares them).
///
/// Member names are compared as bytes where they stand (a String made for each, and compared
/// with each name in turn, had been a sixth of the decoding); only a detail's name becomes text,
/// shared. The time is parsed where it stands too.
struct SIEMLineDecoder {
    let store: LocaleStore
    /// Recurring texts (actors, workspaces, pages, places) made once and shared across lines.
    var strings = StringInterner()
    /// Audience cells to levels, each spelling looked up once.
    let audiences: AudienceLookup

    init(store: LocaleStore, strings: StringInterner = StringInterner()) {
        self.store = store
        self.strings = strings
        audiences = AudienceLookup(store: store)
    }

    /// The event of `line` (no line end), or nil when the line is not of the known shape.
    func decode(_ line: UnsafeBufferPointer<UInt8>, source: SourceLocation) -> AuditEvent? {
        var cursor = Cursor(bytes: line, strings: strings)
        guard cursor.skip(0x7B) else { return nil }
        // One set of fields, filled in place and read in place (as an optional handed back, the
        // fields were copied and destroyed four times a line, each copy retaining their texts).
        var fields = Fields()
        // `{"event": {…}}` holds the event; a bare event starts with one of its own members.
        guard let first = cursor.name() else { return nil }
        if Cursor.is(first, "event") {
            guard cursor.skip(0x3A), cursor.skip(0x7B), readEvent(&cursor, firstKey: nil, into: &fields), cursor.skip(0x7D) else { return nil }
        } else {
            guard cursor.skip(0x3A), readEvent(&cursor, firstKey: first, into: &fields) else { return nil }
        }
        guard cursor.atEnd else { return nil }
        return make(consume fields, source: source)
    }

    /// The members of an event, as read.
    private struct Fields {
        var id: String?
        /// The time's bytes in the line, when plain ASCII; else its text.
        var time: UnsafeBufferPointer<UInt8>?
        var timestamp: String?
        var workspaceID: String?
        var workspaceName: String?
        var ipAddress: String?
        var platform: String?
        var type: String?
        var actor: Actor?
        var details: [(key: String, value: String)]?
        /// The target object's string members (a few; looked up by scanning, hashing cost more).
        var target: [(key: String, value: String)]?
        var targetText: String?
        /// Where `target` came among the details (its place decides the order of fields).
        var targetIndex = -1
    }

    /// Reads the event object's members up to (not including) its closing brace into `fields`
    /// (false: not of the known shape); the opening brace and, for a bare event, the first key
    /// and its colon are already read.
    private func readEvent(_ cursor: inout Cursor, firstKey: UnsafeBufferPointer<UInt8>?, into fields: inout Fields) -> Bool {
        var key = firstKey
        if key == nil {
            if cursor.peek(0x7D) { return false }
            guard let k = cursor.name(), cursor.skip(0x3A) else { return false }
            key = k
        }
        while let name = key {
            // The event's id and time are its own: not worth a slot.
            if Cursor.is(name, "id") {
                guard cursor.once(&fields.id, shared: false) else { return false }
            } else if Cursor.is(name, "timestamp") {
                guard fields.time == nil && fields.timestamp == nil else { return false }
                if let bytes = cursor.asciiBytes() {
                    fields.time = bytes
                } else {
                    guard cursor.once(&fields.timestamp, shared: false) else { return false }
                }
            } else if Cursor.is(name, "workspace_id") {
                guard cursor.once(&fields.workspaceID) else { return false }
            } else if Cursor.is(name, "workspace_name") {
                guard cursor.once(&fields.workspaceName) else { return false }
            } else if Cursor.is(name, "ip_address") {
                guard cursor.once(&fields.ipAddress) else { return false }
            } else if Cursor.is(name, "platform") {
                guard cursor.once(&fields.platform) else { return false }
            } else if Cursor.is(name, "type") {
                guard cursor.once(&fields.type) else { return false }
            } else if Cursor.is(name, "actor") {
                guard fields.actor == nil, let v = readActor(&cursor) else { return false }
                fields.actor = consume v
            } else if Cursor.is(name, "details") {
                guard fields.details == nil, readDetails(&cursor, into: &fields) else { return false }
            } else {
                return false
            }
            if cursor.skip(0x2C) {
                guard let k = cursor.name(), cursor.skip(0x3A) else { return false }
                key = k
            } else {
                key = nil
            }
        }
        guard cursor.skip(0x7D) else { return false }
        // The general way looks for details elsewhere when there are none, and words a missing type or time.
        guard fields.details != nil, let type = fields.type, !type.isEmpty, fields.time != nil || fields.timestamp != nil else { return false }
        return true
    }

    private func readActor(_ cursor: inout Cursor) -> Actor? {
        guard cursor.skip(0x7B) else { return nil }
        var id: String?, type: String?, name: String?, email: String?, object: String?
        var personEmail: String?, personName: String?, person = false
        if !cursor.skip(0x7D) {
            repeat {
                guard let key = cursor.name(), cursor.skip(0x3A) else { return nil }
                if Cursor.is(key, "id") {
                    guard cursor.once(&id) else { return nil }
                } else if Cursor.is(key, "type") {
                    guard cursor.once(&type) else { return nil }
                } else if Cursor.is(key, "name") {
                    guard cursor.once(&name) else { return nil }
                } else if Cursor.is(key, "email") {
                    guard cursor.once(&email) else { return nil }
                } else if Cursor.is(key, "object") {
                    guard cursor.once(&object) else { return nil }
                } else if Cursor.is(key, "person") {
                    guard !person, cursor.skip(0x7B) else { return nil }
                    person = true
                    if !cursor.skip(0x7D) {
                        repeat {
                            guard let k = cursor.name(), cursor.skip(0x3A) else { return nil }
                            if Cursor.is(k, "email") {
                                guard cursor.once(&personEmail) else { return nil }
                            } else if Cursor.is(k, "name") {
                                guard cursor.once(&personName) else { return nil }
                            } else {
                                return nil
                            }
                        } while cursor.skip(0x2C)
                        guard cursor.skip(0x7D) else { return nil }
                    }
                } else {
                    return nil
                }
            } while cursor.skip(0x2C)
            guard cursor.skip(0x7D) else { return nil }
        }
        // As `SIEMEventNormalizer.actor`.
        var actor = Actor(id: id ?? "", type: type ?? "")
        actor.name = name ?? ""
        if person {
            actor.email = personEmail ?? ""
            if actor.name.isEmpty { actor.name = personName ?? "" }
        }
        if actor.email.isEmpty { actor.email = email ?? "" }
        return actor
    }

    private func readDetails(_ cursor: inout Cursor, into fields: inout Fields) -> Bool {
        guard cursor.skip(0x7B) else { return false }
        var details: [(key: String, value: String)] = []
        // Room for the usual few (grown from empty, the array had been made twice per event).
        details.reserveCapacity(4)
        if !cursor.skip(0x7D) {
            repeat {
                guard let name = cursor.name(), cursor.skip(0x3A) else { return false }
                if Cursor.is(name, "target") {
                    // One target: the general way would read a second one too (fields in between).
                    guard fields.targetIndex < 0 else { return false }
                    fields.targetIndex = details.count
                    if cursor.peek(0x22) {
                        guard let text = cursor.string() else { return false }
                        fields.targetText = text
                    } else {
                        guard let target = readTarget(&cursor) else { return false }
                        fields.target = target
                    }
                    continue
                }
                // A repeated member: the general way keeps the last value at the first place.
                guard let key = cursor.text(of: name), let value = cursor.string(), !details.contains(where: { $0.key == key }) else { return false }
                details.append((key, value))
            } while cursor.skip(0x2C)
            guard cursor.skip(0x7D) else { return false }
        }
        fields.details = details
        return true
    }

    /// `{"type": "<kind>_id", "<kind>_id": "…"}` or `{id, object, name | title}`: string members
    /// of these names only (any other the general way flattens into details).
    private func readTarget(_ cursor: inout Cursor) -> [(key: String, value: String)]? {
        if let usual = readTypedTarget(&cursor) { return usual }
        guard cursor.skip(0x7B) else { return nil }
        var members: [(key: String, value: String)] = []
        if !cursor.skip(0x7D) {
            repeat {
                guard members.count < 6, let name = cursor.name(), let key = cursor.text(of: name), cursor.skip(0x3A), let value = cursor.string(), Self.value(key, in: members) == nil else { return nil }
                members.append((key, value))
            } while cursor.skip(0x2C)
            guard cursor.skip(0x7D) else { return nil }
        }
        let type = Self.value("type", in: members)
        // A type the general way does not take as `<kind>_id` with its id: left to it.
        if let type, !(type.hasSuffix("_id") && Self.value(type, in: members) != nil) { return nil }
        for (key, _) in members where key != "type" && key != "id" && key != "object" && key != "name" && key != "title" && key != type { return nil }
        return members
    }

    /// The usual target, `{"type": "<kind>_id", "<kind>_id": "…"}` in that order, with its
    /// names compared as bytes where they stand; nil, the cursor left where it was, for any
    /// other (which `readTarget` reads member by member: a text per name, each compared with the
    /// known ones, had cost a target as much as the rest of its line's details).
    private func readTypedTarget(_ cursor: inout Cursor) -> [(key: String, value: String)]? {
        let start = cursor.i
        guard cursor.skip(0x7B), let first = cursor.name(), Cursor.is(first, "type"), cursor.skip(0x3A) else {
            cursor.i = start
            return nil
        }
        let typeStart = cursor.i + 1
        guard let type = cursor.string(), cursor.skip(0x2C), let second = cursor.name(),
            // The type as written (no escape in it: then it is its text's bytes).
            case let written = UnsafeBufferPointer(rebasing: cursor.bytes[typeStart..<typeStart + type.utf8.count]),
            written.count > 3, written.count == second.count, memcmp(written.baseAddress!, second.baseAddress!, second.count) == 0,
            written[written.count - 3] == 0x5F, written[written.count - 2] == 0x69, written[written.count - 1] == 0x64,
            !written.contains(0x5C), cursor.skip(0x3A), let id = cursor.string(), cursor.skip(0x7D)
        else {
            cursor.i = start
            return nil
        }
        return [("type", type), (type, id)]
    }

    private static func value(_ key: String, in members: [(key: String, value: String)]) -> String? {
        members.first { $0.key == key }?.value
    }

    /// The event, as `SIEMEventNormalizer.normalize` makes it. The fields' texts are moved into
    /// it (`take()`), not copied: a copy retained each text, and destroying the fields released
    /// it again (8% of the stream reader's time).
    private func make(_ f: consuming Fields, source: SourceLocation) -> AuditEvent? {
        guard let key = f.type.take(), let parsed = f.time.map(TimestampParser.parse(bytes:)) ?? f.timestamp.flatMap(TimestampParser.parse) else { return nil }
        let timestamp: Timestamp
        switch parsed {
        case .instant(let t): timestamp = t
        case .local(let c):
            timestamp = Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, millisecond: c.millisecond)
        }
        // The parts are made first and the event once from them: an event filled in place was
        // copied once more on its way out (and the copy destroyed).
        let workspaceID = f.workspaceID.take() ?? ""
        let workspaceName = f.workspaceName.take() ?? ""
        var target = Target()
        var audience: Audience?
        var details: [Field] = []
        if !workspaceName.isEmpty && !workspaceID.isEmpty { details.append(Field("workspace_id", workspaceID)) }
        let all = f.details.take() ?? []
        for index in 0...all.count {
            if index == f.targetIndex {
                if let object = f.target.take() {
                    // As `SIEMEventNormalizer.readTarget`.
                    if let type = Self.value("type", in: object), let id = Self.value(type, in: object) {
                        // Most targets are pages: their kind needs no new text.
                        target.kind = type == "page_id" ? "page" : String(type.dropLast(3))
                        target.id = id
                    } else {
                        if let id = Self.value("id", in: object) { target.id = id }
                        if let kind = Self.value("object", in: object) { target.kind = kind }
                    }
                    if let name = Self.value("name", in: object) ?? Self.value("title", in: object) { target.name = name }
                    if target.kind.isEmpty { target.kind = "page" }
                } else if let text = f.targetText.take() {
                    target.id = text
                }
            }
            guard index < all.count else { break }
            let (name, value) = all[index]
            switch name {
            case "page_audience":
                if let level = audiences(value) { audience = level } else { details.append(Field("page_audience", value)) }
            case "page_name":
                target.name = value
                if target.kind.isEmpty { target.kind = "page" }
            case "teamspace":
                if !value.isEmpty { details.append(Field("teamspace", value)) }
            default:
                details.append(Field(name, value))
            }
        }
        return AuditEvent(
            id: f.id.take() ?? "", timestamp: timestamp, key: key, actor: f.actor.take() ?? Actor(), ipAddress: f.ipAddress.take() ?? "", platform: f.platform.take() ?? "",
            workspace: workspaceName.isEmpty ? workspaceID : workspaceName, target: target, audience: audience, details: details, source: source)
    }

    /// Reads JSON tokens of the known shape; every method gives nil (or false) on anything else.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        let strings: StringInterner

        init(bytes: UnsafeBufferPointer<UInt8>, strings: StringInterner) {
            self.bytes = bytes
            self.strings = strings
        }

        mutating func space() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        }

        /// Skips whitespace and `byte`, if it comes next.
        mutating func skip(_ byte: UInt8) -> Bool {
            space()
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        mutating func peek(_ byte: UInt8) -> Bool {
            space()
            return i < bytes.count && bytes[i] == byte
        }

        var atEnd: Bool {
            mutating get {
                space()
                return i == bytes.count
            }
        }

        /// A member's name as its bytes in the line; nil when it has an escape or a control
        /// character (the general way reads it).
        mutating func name() -> UnsafeBufferPointer<UInt8>? {
            guard skip(0x22) else { return nil }
            let start = i
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x22 {
                    i += 1
                    return UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)])
                }
                if c == 0x5C || c < 0x20 { return nil }
                i += 1
            }
            return nil
        }

        /// A string's bytes in the line when it is plain ASCII without escapes; else nil, and
        /// nothing is read.
        mutating func asciiBytes() -> UnsafeBufferPointer<UInt8>? {
            let at = i
            guard skip(0x22) else { return nil }
            let start = i
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x22 {
                    i += 1
                    return UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)])
                }
                if c == 0x5C || c < 0x20 || c >= 0x80 { break }
                i += 1
            }
            i = at
            return nil
        }

        /// The text of a name read by `name()` (shared: detail names recur), or nil when it is
        /// not valid UTF-8.
        func text(of name: UnsafeBufferPointer<UInt8>) -> String? {
            if !StringInterner.worthSharing(name.count) && ByteWord.isASCII(name) { return strings.shortASCII(name) }
            return strings.validString(name)
        }

        /// Whether a name read by `name()` is `expected`.
        @inline(__always)
        static func `is`(_ name: UnsafeBufferPointer<UInt8>, _ expected: StaticString) -> Bool {
            name.count == expected.utf8CodeUnitCount && memcmp(name.baseAddress!, expected.utf8Start, name.count) == 0
        }

        /// Reads a string into `slot`, which must still be empty (a member given twice is left to
        /// the general way, which keeps the last value).
        mutating func once(_ slot: inout String?, shared: Bool = true) -> Bool {
            guard slot == nil, let value = string(shared: shared) else { return false }
            slot = value
            return true
        }

        /// A string in valid UTF-8 without control characters; escapes as JSON has them, but no
        /// lone surrogate (which the general way replaces, with a warning).
        /// A recurring text (`shared`) comes from `strings`.
        mutating func string(shared: Bool = true) -> String? {
            guard skip(0x22) else { return nil }
            let start = i
            var high: UInt8 = 0
            // Eight bytes at a time up to a word that holds a quote, a backslash or a control character.
            if let base = bytes.baseAddress {
                var word: UInt64 = 0
                while i + 8 <= bytes.count {
                    let w = ByteWord.load(base, i)
                    if ByteWord.has(w, 0x22) | ByteWord.has(w, 0x5C) | ByteWord.below(w, 0x20) != 0 { break }
                    word |= w
                    i += 8
                }
                if word & ByteWord.highs != 0 { high = 0x80 }
            }
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x22 { break }
                if c == 0x5C { return escapedString(from: start) }
                if c < 0x20 { return nil }
                high |= c
                i += 1
            }
            guard i < bytes.count else { return nil }
            let text = UnsafeBufferPointer(rebasing: bytes[start..<i])
            i += 1
            if shared {
                if high < 0x80 && !StringInterner.worthSharing(text.count) { return strings.shortASCII(text) }
                return strings.validString(text, ascii: high < 0x80)
            }
            if high < 0x80 { return String(decoding: text, as: UTF8.self) }
            return String(validating: text, as: UTF8.self)
        }

        /// The rest of a string that has an escape at `i` (its text began at `start`).
        private mutating func escapedString(from start: Int) -> String? {
            var out = Array(bytes[start..<i])
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                if c == 0x22 { return String(validating: out, as: UTF8.self) }
                if c < 0x20 { return nil }
                guard c == 0x5C else {
                    out.append(c)
                    continue
                }
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                if let byte = JSONParser.escapedByte(e) {
                    out.append(byte)
                    continue
                }
                switch e {
                case 0x75:
                    guard var code = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(code) {
                        guard i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else { return nil }
                        i += 2
                        guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        return nil
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    out.append(contentsOf: String(scalar).utf8)
                default: return nil
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = JSONParser.hexValue(bytes[i]) else { return nil }
                value = value << 4 | digit
                i += 1
            }
            return value
        }
    }
}

/// The decoder's promise, checkable from outside (the `FuzzSIEMLine` fuzz target): for any line,
/// it either leaves the line to the general way or makes the very event the general way makes.
public struct SIEMLineCheck {
    private let store: LocaleStore
    private let decoder: SIEMLineDecoder

    /// One decoder for every line checked, as a reader has, whose table of shared texts has
    /// `slots` slots (with few, texts keep meeting others in theirs).
    public init(store: LocaleStore, slots: Int = 4) {
        self.store = store
        decoder = SIEMLineDecoder(store: store, strings: StringInterner(slots: slots))
    }

    /// Whether the decoder and the general way agree on `line` (bytes without the line end).
    public func agrees(_ line: [UInt8]) -> Bool {
        let source = SourceLocation(input: 0, line: 1)
        guard let fast = line.withUnsafeBufferPointer({ decoder.decode($0, source: source) }) else { return true }
        let parser = JSONParser(reader: ByteReader(bytes: line, path: "", line: 1))
        guard let value = try? parser.parseValue(), (try? parser.peekToken()) == nil, !parser.repairedInvalidUTF8, let record = value.objectValue,
            case .event(let event, let time, _) = SIEMRecordUnwrapper.unwrap(record, path: "", line: 1),
            case .success(let general) = SIEMEventNormalizer(store: store).normalize(event, fallbackTime: time, source: source)
        else { return false }
        return fast == general
    }
}
