import CAuditZlib
import Foundation

/// Writes events as JSON lines with stable English keys, one event per line: the bridge to
/// DuckDB, Spark or a warehouse for those who outgrow one machine. Every key is on every line
/// (null where an event has no value), so readers infer one schema; times are ISO 8601 in UTC.
public final class EventJSONLinesRenderer {
    private let sink: (String) -> Void
    private let catalog: EventCatalog
    private let sources: [String]
    public private(set) var rows = 0

    /// - Parameter sink: takes each line's text (a file, or a gzip stream over one).
    public init(catalog: EventCatalog, sources: [String], sink: @escaping (String) -> Void) {
        self.catalog = catalog
        self.sources = sources
        self.sink = sink
    }

    public func write(_ e: AuditEvent) {
        func text(_ s: String) -> JSONValue { s.isEmpty ? .null : .string(s) }
        func fields(_ list: [Field]) -> JSONValue { .object(JSONObject(list.map { .init(key: $0.name, value: .string($0.value)) })) }
        let value = JSONValue.obj([
            "time": .string(e.timestamp.description), "id": text(e.id), "key": .string(e.key), "category": .string(catalog.category(of: e.key)),
            "actor": .obj(["id": text(e.actor.id), "email": text(e.actor.email), "name": text(e.actor.name), "type": text(e.actor.type)]),
            "role": text(e.role), "ip_address": text(e.ipAddress), "platform": text(e.platform),
            "city": text(e.city), "region": text(e.region), "country": text(e.country), "workspace": text(e.workspace),
            "target": .obj(["type": text(e.target.kind), "id": text(e.target.id), "name": text(e.target.name)]),
            "audience": e.audience.map { .string($0.siemValue) } ?? .null,
            "details": fields(e.details), "extras": fields(e.extras),
            "source": .obj(["file": .string(e.source.input < sources.count ? sources[e.source.input] : "?"), "line": .int(e.source.line)]),
        ])
        var line = ""
        value.write(to: &line)
        sink(line + "\n")
        rows += 1
    }
}

/// A gzip stream over an output file (zlib's deflate; reproducible: no name, time 0).
public final class GzipWriter {
    private let file: OutputFile
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 1 << 16)
    private var failure: String?

    public init(file: OutputFile, level: Int32 = 6) throws {
        self.file = file
        let status = audit_report_deflate_init_gzip(&stream, level)
        guard status == Z_OK else { throw OutputError.writeFailed(path: file.path, reason: "zlib deflateInit2 returned \(status)") }
    }

    deinit { deflateEnd(&stream) }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { deflate($0, flush: Z_NO_FLUSH) }
    }

    public func write(bytes: UnsafeRawBufferPointer) {
        deflate(bytes.bindMemory(to: UInt8.self), flush: Z_NO_FLUSH)
    }

    private func deflate(_ input: UnsafeBufferPointer<UInt8>, flush: Int32) {
        guard failure == nil else { return }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        repeat {
            let status: Int32 = out.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                return CAuditZlib.deflate(&stream, flush)
            }
            if status == Z_STREAM_ERROR {
                failure = "zlib deflate failed"
                return
            }
            let produced = out.count - Int(stream.avail_out)
            out.withUnsafeBytes { file.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
        } while stream.avail_out == 0
    }

    /// Ends the gzip stream and closes the file.
    public func close() throws {
        deflate(UnsafeBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        if let failure { throw OutputError.writeFailed(path: file.path, reason: failure) }
        try file.close()
    }
}
