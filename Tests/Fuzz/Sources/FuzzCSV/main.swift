import AuditReportCore
import Foundation

/// The byte-level CSV tokenizer on any bytes, with each delimiter: it must end every input with
/// records or a `ReadError`, never a crash or a hang.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for delimiter: UInt8 in [0x2C, 0x3B, 0x09] {
        let tokenizer = CSVTokenizer(reader: ByteReader(bytes: bytes, path: "fuzz.csv"), delimiter: delimiter, maxRecordBytes: 1 << 16, maxFields: 512)
        var record = CSVRecord()
        var records = 0
        do {
            while try tokenizer.next(into: &record) {
                records += 1
                for i in 0..<record.count { _ = record.string(i) ?? record.repairedString(i) }
                precondition(records <= size + 1, "more records than bytes")
            }
        } catch is ReadError {
        } catch {
            fatalError("unexpected error \(error)")
        }
    }
    return 0
}

/// libFuzzer's driver, called from this program's own main (SwiftPM gives executables theirs).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(runFuzzer(&argc, &argv) { data, size in fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) })
