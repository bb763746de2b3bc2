import Testing

@testable import AuditReportCore

@Suite struct JSONParserTests {
    @Test func valuesEscapesAndSurrogatesParse() throws {
        let v = try JSONParser.parse(#"{"a":[1,-2.5e3,true,false,null],"s":"q\"\\\/\b\f\n\r\t\u00fc\ud83d\ude80","e":{}}"#, path: "x", line: 1)
        #expect(v["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(v["s"] == .string("q\"\\/\u{8}\u{C}\n\r\tü🚀"))
        #expect(v["e"] == .object(JSONObject()))
    }

    /// A text written as a JSON string reads back as itself; one needing no escape is
    /// written as it is.
    @Test func stringsAreWrittenSoTheyReadBack() throws {
        for text in ["", "plain", "Prüfung €", "🚀", "q\"uote", "back\\slash", "tab\tand\nlines\r", "\u{0}\u{1F}", "\u{7F}\u{85}", "/"] {
            var out = ""
            JSONValue.writeString(text, to: &out)
            #expect(try JSONParser.parse(out, path: "x", line: 1) == .string(text))
            if !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\"" || $0 == "\\" }) { #expect(out == "\"" + text + "\"") }
        }
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try JSONParser.parse(#""\ud83d x""#, path: "x", line: 1) == .string("\u{FFFD} x"))
        #expect(try JSONParser.parse(#""\ude80""#, path: "x", line: 1) == .string("\u{FFFD}"))
    }

    @Test(arguments: [
        ("{\"a\":1,}", "expected a quoted member name, found '}'"),
        ("{\"a\" 1}", "expected ':' after a member name, found '1'"),
        ("[1 2]", "expected ',' or ']' in an array, found '2'"),
        ("\"abc", "unterminated string"),
        ("01", "invalid number '01'"),
        ("-", "invalid number '-'"),
        ("tru", "invalid literal, expected 'true'"),
        ("\"a\tb\"", "control character byte 0x9 inside a string (not escaped)"),
        ("\"\\x\"", "invalid escape '\\x' in a string"),
        ("{} x", "unexpected 'x' after the JSON value"),
    ])
    func malformedInputGivesAPreciseMessage(_ text: String, _ message: String) {
        #expect(throws: ReadError.invalidJSON(path: "f.json", line: 1, message: message)) {
            try JSONParser.parse(text, path: "f.json", line: 1)
        }
    }

    @Test func compactTextRoundTrips() throws {
        let text = #"{"k":"a\"b\n\u0001","n":[1,2.5],"o":{"x":null}}"#
        #expect(try JSONParser.parse(text, path: "x", line: 1).jsonText == text)
    }
}
