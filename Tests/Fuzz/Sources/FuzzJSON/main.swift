import AuditReportCore
import FuzzDriver

// The JSON parser on any bytes: a value or a `ReadError`; a parsed value's text parses back to
// the same value.
fuzz { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let value = try JSONParser.parse(text, path: "fuzz.json", line: 1)
        let again = try JSONParser.parse(value.jsonText, path: "again.json", line: 1)
        precondition(again == value, "round trip changed the value")
    } catch is ReadError {
    } catch {
        fatalError("unexpected error \(error)")
    }
}
