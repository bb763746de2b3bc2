import Foundation

/// A compact binary form of `AuditEvent` for the spool's runs: fixed header, then
/// length-prefixed UTF-8 strings. Encoding is lossless (`decode(encode(e)) == e`).
enum EventCodec {
    /// Appends the encoded event to `out`.
    static func encode(_ e: AuditEvent, into out: inout [UInt8]) {
        append(e.timestamp.milliseconds, &out)
        append(Int64(e.source.input), &out)
        append(Int64(e.source.line), &out)
        out.append(e.audience?.rawValue ?? 0)
        out.append(e.ambiguity.rawValue)
        // One call per field: an array literal here would allocate for every event.
        append(e.id, &out)
        append(e.key, &out)
        append(e.actor.id, &out)
        append(e.actor.email, &out)
        append(e.actor.name, &out)
        append(e.actor.type, &out)
        append(e.role, &out)
        append(e.ipAddress, &out)
        append(e.platform, &out)
        append(e.city, &out)
        append(e.region, &out)
        append(e.country, &out)
        append(e.workspace, &out)
        append(e.target.kind, &out)
        append(e.target.id, &out)
        append(e.target.name, &out)
        append(Int64(e.details.count), &out)
        for f in e.details {
            append(f.name, &out)
            append(f.value, &out)
        }
        append(Int64(e.extras.count), &out)
        for f in e.extras {
            append(f.name, &out)
            append(f.value, &out)
        }
    }

    /// Decodes one event from `bytes` (exactly one encoded record); repeated texts come from
    /// `strings` when given.
    static func decode(_ bytes: UnsafeRawBufferPointer, strings: StringInterner? = nil) -> AuditEvent {
        var cursor = Cursor(bytes: bytes, strings: strings)
        let ms = cursor.int64()
        let input = Int(cursor.int64())
        let line = Int(cursor.int64())
        let audience = Audience(rawValue: cursor.byte())
        let ambiguity = TimeAmbiguity(rawValue: cursor.byte()) ?? .none
        // The event id is unique: not worth a slot.
        var e = AuditEvent(id: cursor.string(shared: false), timestamp: Timestamp(milliseconds: ms), key: cursor.string())
        e.source = SourceLocation(input: input, line: line)
        e.audience = audience
        e.ambiguity = ambiguity
        e.actor = Actor(id: cursor.string(), email: cursor.string(), name: cursor.string(), type: cursor.string())
        e.role = cursor.string()
        e.ipAddress = cursor.string()
        e.platform = cursor.string()
        e.city = cursor.string()
        e.region = cursor.string()
        e.country = cursor.string()
        e.workspace = cursor.string()
        e.target = Target(kind: cursor.string(), id: cursor.string(), name: cursor.string())
        let detailCount = Int(cursor.int64())
        e.details.reserveCapacity(detailCount)
        for _ in 0..<detailCount { e.details.append(Field(cursor.string(), cursor.string())) }
        let extraCount = Int(cursor.int64())
        e.extras.reserveCapacity(extraCount)
        for _ in 0..<extraCount { e.extras.append(Field(cursor.string(), cursor.string())) }
        return e
    }

    @inline(__always)
    static func append(_ value: Int64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func append(_ s: String, _ out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: utf8)
        }
    }

    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0
        var strings: StringInterner?

        init(bytes: UnsafeRawBufferPointer, strings: StringInterner? = nil) {
            self.bytes = bytes
            self.strings = strings
        }

        mutating func int64() -> Int64 {
            let v = bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)
            offset += 8
            return Int64(littleEndian: v)
        }

        mutating func byte() -> UInt8 {
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func string(shared: Bool = true) -> String {
            let count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            offset += 4
            if count == 0 { return "" }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
            offset += count
            if shared, StringInterner.worthSharing(count), let strings { return strings.string(slice) }
            // Written from valid Strings, so no repair happens here.
            return String(decoding: slice.bindMemory(to: UInt8.self), as: UTF8.self)
        }
    }
}
