import Foundation
import Testing

@testable import AuditReportCore

@Suite struct CSVWriterTests {
    @Test(arguments: [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+49 30 123", "'+49 30 123"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("\nLF", "'\nLF"),
        ("-5", "-5"),
        ("+49", "+49"),
        ("-1.5e3", "-1.5e3"),
        ("3,5", "3,5"),
        ("plain", "plain"),
        ("", ""),
    ])
    func formulaCellsAreNeutralizedButNumbersAreNot(_ input: String, _ expected: String) {
        #expect(CSVWriter.neutralize(input) == expected)
    }

    @Test func cellsAreQuotedOnlyWhenNeeded() {
        #expect(CSVWriter.escape("a,b", delimiter: 0x2C) == "\"a,b\"")
        #expect(CSVWriter.escape("a;b", delimiter: 0x2C) == "a;b")
        #expect(CSVWriter.escape("a;b", delimiter: 0x3B) == "\"a;b\"")
        #expect(CSVWriter.escape("say \"hi\"", delimiter: 0x2C) == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.escape("=1\n2", delimiter: 0x2C) == "\"'=1\n2\"")
    }

    @Test func excelGermanDialectWritesBOMSemicolonsAndCRLF() throws {
        let path = TestSupport.temporaryDirectory().appendingPathComponent("x.csv").path
        let file = try OutputFile(path: path)
        let writer = CSVWriter(file: file, dialect: .excelDE)
        writer.row(["Zeit", "Größe; Wert"])
        try file.close()
        #expect(Array(FileManager.default.contents(atPath: path)!) == [0xEF, 0xBB, 0xBF] + Array("Zeit;\"Größe; Wert\"\r\n".utf8))
    }

    /// The row writer looks at eight bytes at a time: a byte that needs quotes, a guard or a
    /// replacement at each position of cells of up to 20 bytes is found as `escape` finds it,
    /// and a cell larger than the file's buffer is written whole.
    @Test(arguments: CSVDialect.allCases)
    func rowsWriteEachCellAsEscapeDoes(_ dialect: CSVDialect) throws {
        var cells = ["", "plain", "Prüfung", "-5", String(repeating: "xy", count: 100_000)]
        for special in ["\"", ",", ";", "\n", "\r", "\u{0}", "\t", "\u{1}", "ü", "=", " "] {
            for length in 1...20 {
                for at in 0..<length {
                    var characters = [String](repeating: "a", count: length)
                    characters[at] = special
                    cells.append(characters.joined())
                }
            }
        }
        let path = TestSupport.temporaryDirectory().appendingPathComponent("rows.csv").path
        let file = try OutputFile(path: path)
        let writer = CSVWriter(file: file, dialect: dialect)
        for cell in cells { writer.row([cell, "b", cell]) }
        try file.close()
        let d = dialect.delimiter
        let sep = String(UnicodeScalar(d))
        let expected = (dialect.writesBOM ? "\u{FEFF}" : "") + cells.map { CSVWriter.escape($0, delimiter: d) + sep + "b" + sep + CSVWriter.escape($0, delimiter: d) + "\r\n" }.joined()
        let written = try #require(FileManager.default.contents(atPath: path))
        #expect(written == Data(expected.utf8))
    }
}
