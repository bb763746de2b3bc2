import AuditReportCore
import FuzzDriver

// The byte-level CSV tokenizer on any bytes, with each delimiter: it must end every input with
// records or a `ReadError`, never a crash or a hang.
fuzz { bytes in
    for delimiter: UInt8 in [0x2C, 0x3B, 0x09] {
        let tokenizer = CSVTokenizer(reader: ByteReader(bytes: bytes, path: "fuzz.csv"), delimiter: delimiter, maxRecordBytes: 1 << 16, maxFields: 512)
        var record = CSVRecord()
        var records = 0
        do {
            while try tokenizer.next(into: &record) {
                records += 1
                for i in 0..<record.count { _ = record.string(i) ?? record.repairedString(i) }
                precondition(records <= bytes.count + 1, "more records than bytes")
            }
        } catch is ReadError {
        } catch {
            fatalError("unexpected error \(error)")
        }
    }
}
