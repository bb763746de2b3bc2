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
}
