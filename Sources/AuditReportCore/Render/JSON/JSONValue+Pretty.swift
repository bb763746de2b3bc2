extension JSONValue {
    /// The value as indented text (two spaces), one member or element per line, ending in a
    /// newline: stable for diffs and byte-identical for the same value.
    public var prettyText: String {
        var out = ""
        writePretty(to: &out, indent: 0)
        return out + "\n"
    }

    fileprivate func writePretty(to out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent + 2)
        switch self {
        case .array(let items) where !items.isEmpty:
            if items.allSatisfy({ if case .object = $0 { return false } else if case .array = $0 { return false } else { return true } }) {
                // Short lists of scalars stay on one line.
                var line = ""
                write(to: &line)
                if line.count <= 100 {
                    out += line
                    return
                }
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.writePretty(to: &out, indent: indent + 2)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let o) where !o.members.isEmpty:
            out += "{\n"
            for (i, member) in o.members.enumerated() {
                out += pad
                JSONValue.writeString(member.key, to: &out)
                out += ": "
                member.value.writePretty(to: &out, indent: indent + 2)
                out += i + 1 < o.members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        default:
            write(to: &out)
        }
    }
}

/// A JSON object written as `prettyText` writes it, member by member, with the items of a long
/// array of objects made one at a time: the text goes to a sink in pieces of about 64 KiB, so a
/// month's findings are never a tree and a text in memory at once.
enum JSONPrettyStream {
    enum Member {
        case value(String, JSONValue)
        /// An array of objects (never scalars, which `prettyText` may put on one line), made item
        /// by item as it is written.
        case objects(String, count: Int, item: (Int) -> JSONValue)
    }

    static let pieceBytes = 1 << 16

    /// Writes `{ members }` and a newline, byte for byte what `JSONValue.object(…).prettyText` gives.
    static func write(_ members: [Member], to sink: (String) throws -> Void) rethrows {
        guard !members.isEmpty else { return try sink("{}\n") }
        var out = "{\n"
        func flush(_ force: Bool = false) throws {
            if force || out.utf8.count >= pieceBytes {
                try sink(out)
                out = ""
            }
        }
        for (i, member) in members.enumerated() {
            out += "  "
            switch member {
            case .value(let key, let value):
                JSONValue.writeString(key, to: &out)
                out += ": "
                value.writePretty(to: &out, indent: 2)
            case .objects(let key, let count, let item):
                JSONValue.writeString(key, to: &out)
                out += ": "
                guard count > 0 else {
                    out += "[]"
                    break
                }
                out += "[\n"
                for j in 0..<count {
                    out += "    "
                    item(j).writePretty(to: &out, indent: 4)
                    out += j + 1 < count ? ",\n" : "\n"
                    try flush()
                }
                out += "  ]"
            }
            out += i + 1 < members.count ? ",\n" : "\n"
            try flush()
        }
        out += "}\n"
        try flush(true)
    }

    /// The same object as one value (for tests and small documents).
    static func value(_ members: [Member]) -> JSONValue {
        .object(JSONObject(members.map { member in
            switch member {
            case .value(let key, let value): return JSONObject.Member(key: key, value: value)
            case .objects(let key, let count, let item): return JSONObject.Member(key: key, value: .array((0..<count).map(item)))
            }
        }))
    }
}

/// Building JSON values tersely: `.obj(["a": 1])` keeps the order given.
extension JSONValue {
    static func obj(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(JSONObject(members.map { JSONObject.Member(key: $0.key, value: $0.value) }))
    }

    /// An object from a dictionary, keys sorted (dictionaries have no order of their own).
    static func sorted(_ dict: [String: Int]) -> JSONValue {
        .object(JSONObject(dict.keys.sorted().map { JSONObject.Member(key: $0, value: .int(dict[$0]!)) }))
    }

    static func int(_ n: Int) -> JSONValue { .number(String(n)) }
    static func time(_ t: Timestamp?) -> JSONValue { t.map { .string($0.description) } ?? .null }
    static func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
}
