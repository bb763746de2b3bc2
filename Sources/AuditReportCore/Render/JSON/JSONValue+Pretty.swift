extension JSONValue {
    /// The value as indented text (two spaces), one member or element per line, ending in a
    /// newline: stable for diffs and byte-identical for the same value.
    public var prettyText: String {
        var out = ""
        writePretty(to: &out, indent: 0)
        return out + "\n"
    }

    private func writePretty(to out: inout String, indent: Int) {
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
