import Testing

@testable import AuditReportCore

@Suite struct CSVTokenizerTests {
    /// Every record of `bytes` as strings, with the line each started on.
    func records(_ bytes: [UInt8], delimiter: UInt8 = 0x2C, capacity: Int = 1 << 18) throws -> [(Int, [String])] {
        let path = TestSupport.file("t.csv", bytes)
        let reader = try ByteReader(stream: ByteStream(path: path, chunkSize: capacity), capacity: capacity)
        let tokenizer = CSVTokenizer(reader: reader, delimiter: delimiter)
        var record = CSVRecord()
        var out: [(Int, [String])] = []
        while try tokenizer.next(into: &record) {
            out.append((record.line, (0..<record.count).map { record.repairedString($0) }))
        }
        return out
    }

    @Test func quotedFieldsKeepDelimitersQuotesAndNewlines() throws {
        let text = "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n"
        let rows = try records(Array(text.utf8))
        #expect(rows.map(\.1) == [["a", "b", "c"], ["x,1", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        #expect(rows.map(\.0) == [1, 2, 4])
    }

    @Test func recordsSpanningBufferBoundariesAreWhole() throws {
        // A 4 KiB buffer and 600-byte quoted fields force refills inside fields and quotes.
        var text = "id,text\n"
        for i in 0..<50 { text += "\(i),\"\(String(repeating: "ab\"\"c,", count: 100))\"\n" }
        let rows = try records(Array(text.utf8), capacity: 4096)
        #expect(rows.count == 51)
        #expect(rows[50].1[1] == String(repeating: "ab\"c,", count: 100))
        #expect(rows[50].0 == 51)
    }

    @Test func loneCRAndMissingFinalNewlineEndRecords() throws {
        let rows = try records(Array("a;b\rc;d".utf8), delimiter: 0x3B)
        #expect(rows.map(\.1) == [["a", "b"], ["c", "d"]])
    }

    @Test func unterminatedQuoteNamesTheLineItOpenedOn() throws {
        let path = TestSupport.file("bad.csv", "Date,Event\n2023-05-15T10:00:00Z,\"Page viewed\n2023-05-15T11:00:00Z,x\n")
        #expect(TestSupport.readError(path: path) == .unterminatedQuote(path: path, line: 2))
    }

    @Test func delimiterIsDetectedFromTheHeader() {
        #expect(CSVTokenizer.detectDelimiter(Array("Datum;Nutzer;Ereignis\n1,2;3".utf8)) == 0x3B)
        #expect(CSVTokenizer.detectDelimiter(Array("Date\tUser\tEvent\n".utf8)) == 0x09)
        #expect(CSVTokenizer.detectDelimiter(Array("Date,User,\"a;b;c\"\n".utf8)) == 0x2C)
    }

    @Test func aRecordLargerThanTheLimitIsAnErrorNotAnEndlessRead() throws {
        let path = TestSupport.file("huge.csv", Array("a,b\n".utf8) + [UInt8](repeating: 0x41, count: 3 << 20))
        let reader = try ByteReader(stream: ByteStream(path: path))
        let tokenizer = CSVTokenizer(reader: reader, delimiter: 0x2C, maxRecordBytes: 1 << 20)
        var record = CSVRecord()
        #expect(try tokenizer.next(into: &record))
        #expect(throws: ReadError.recordTooLarge(path: path, line: 2, limit: 1 << 20)) { try tokenizer.next(into: &record) }
    }

    @Test func tooManyColumnsIsAnError() throws {
        let header = (0..<100_000).map { "c\($0)" }.joined(separator: ",")
        let path = TestSupport.file("wide.csv", header + "\n")
        #expect(TestSupport.readError(path: path) == .tooManyColumns(path: path, line: 1, limit: 16_384))
    }
}
