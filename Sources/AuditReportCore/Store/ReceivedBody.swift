/// The records of one request body posted to the collect server, each checked to hold a Notion
/// event before anything of the request is stored.
///
/// A body is one `{"event": …}`, a bare event, a JSON array of either, JSON lines, or several
/// objects one after another (Splunk HEC sends its envelopes so). A record is kept as received:
/// its own bytes, with the line breaks between tokens taken out so that it fits on one line of
/// the store (JSON allows a line break only between tokens, never inside a string).
public enum ReceivedBody {
    public struct Record: Sendable, Equatable {
        /// The record's JSON as received, on one line.
        public var json: [UInt8]
        /// The Notion event's id and type (for logs and tests).
        public var eventID: String
        public var eventType: String
    }

    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// Nothing but white space.
            case empty
            /// Not JSON, or not UTF-8.
            case invalidJSON
            /// JSON, but a record holds no Notion event.
            case noEvent
            /// More records than one request may carry.
            case tooManyRecords
            /// A Splunk HEC envelope without its `event` member.
            case missingEventMember
            /// A Splunk HEC envelope whose `event` is empty.
            case blankEvent
        }
        public var kind: Kind
        /// The 0-based record the problem is in, where there is one.
        public var record: Int?
        public var message: String
        public var description: String { message }

        public init(kind: Kind, record: Int?, message: String) {
            self.kind = kind
            self.record = record
            self.message = message
        }
    }

    /// Records one request may carry (Notion posts one event per request; HEC batches are small).
    public static let maxRecords = 10_000

    /// - Returns: the records, or the first problem (then nothing of the body may be stored).
    /// - Parameter requireEventMember: each record must be an envelope with an `event` member (Splunk HEC).
    public static func records(in body: [UInt8], store: LocaleStore, requireEventMember: Bool = false) -> Result<[Record], Problem> {
        let reader = ByteReader(bytes: body, path: "request body")
        let parser = JSONParser(reader: reader, maxDepth: 64, maxStringBytes: body.count)
        let normalizer = SIEMEventNormalizer(store: store)
        var records: [Record] = []
        do {
            if reader.position + 3 <= body.count, body[0] == 0xEF, body[1] == 0xBB, body[2] == 0xBF { reader.position = 3 }
            while let first = try parser.peekToken() {
                if first == 0x5B {
                    try parser.expect(0x5B, "'['")
                    if try parser.peekToken() == 0x5D {
                        reader.position += 1
                        continue
                    }
                    while true {
                        try take(parser, body, normalizer, requireEventMember, &records)
                        guard let next = try parser.peekToken() else { throw parser.error("unexpected end of the body inside an array") }
                        reader.position += 1
                        if next == 0x5D { break }
                        if next != 0x2C { throw parser.error("expected ',' or ']' in an array, found \(JSONParser.describe(next))") }
                    }
                } else if first == 0x7B {
                    try take(parser, body, normalizer, requireEventMember, &records)
                } else {
                    throw parser.error("expected a JSON object or array, found \(JSONParser.describe(first))")
                }
            }
        } catch let problem as Problem {
            return .failure(problem)
        } catch let ReadError.invalidJSON(_, line, message) {
            return .failure(Problem(kind: .invalidJSON, record: records.count, message: "the body is not valid JSON (line \(line)): \(message)"))
        } catch {
            return .failure(Problem(kind: .invalidJSON, record: records.count, message: "the body is not valid JSON: \(error)"))
        }
        if records.isEmpty { return .failure(Problem(kind: .empty, record: nil, message: "the body holds no event")) }
        return .success(records)
    }

    private static func take(_ parser: JSONParser, _ body: [UInt8], _ normalizer: SIEMEventNormalizer, _ requireEventMember: Bool, _ records: inout [Record]) throws {
        let index = records.count
        guard index < maxRecords else {
            throw Problem(kind: .tooManyRecords, record: index, message: "the body holds more than \(maxRecords) records")
        }
        try parser.skipWhitespace()
        let line = parser.reader.line
        let start = parser.reader.position
        let value = try parser.parseValue(depth: 1)
        let end = parser.reader.position
        if parser.repairedInvalidUTF8 {
            throw Problem(kind: .invalidJSON, record: index, message: "record \(index + 1) (line \(line)) is not valid UTF-8")
        }
        guard let object = value.objectValue else {
            throw Problem(kind: .noEvent, record: index, message: "record \(index + 1) (line \(line)) is not a JSON object")
        }
        if requireEventMember {
            guard let member = object["event"] else {
                throw Problem(kind: .missingEventMember, record: index, message: "record \(index + 1) (line \(line)) has no 'event' member")
            }
            if member == .null || member == .string("") || member.objectValue?.members.isEmpty == true {
                throw Problem(kind: .blankEvent, record: index, message: "record \(index + 1) (line \(line)) has an empty 'event'")
            }
        }
        let event: JSONObject
        let fallbackTime: String?
        switch SIEMRecordUnwrapper.unwrap(object, path: "request body", line: line) {
        case .event(let e, let time, _):
            event = e
            fallbackTime = time
        case .preview:
            throw Problem(kind: .noEvent, record: index, message: "record \(index + 1) (line \(line)) is a Splunk preview row, not an event")
        case .problem(let message):
            throw Problem(kind: .noEvent, record: index, message: "record \(index + 1) (line \(line)): \(message)")
        }
        switch normalizer.normalize(event, fallbackTime: fallbackTime, source: SourceLocation(input: 0, line: line)) {
        case .success(let normalized):
            var json: [UInt8] = []
            json.reserveCapacity(end - start)
            for b in body[start..<end] where b != 0x0A && b != 0x0D { json.append(b) }
            records.append(Record(json: json, eventID: normalized.id, eventType: normalized.key))
        case .failure(let problem):
            throw Problem(kind: .noEvent, record: index, message: "record \(index + 1) (line \(line)): \(problem.message)")
        }
    }
}
