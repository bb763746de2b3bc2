import AuditReportCore
import Foundation

/// The streaming JSON parser on any bytes: a value or a `ReadError`; and a parsed value's text
/// parses back to the same value.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let value = try JSONParser.parse(text, path: "fuzz.json", line: 1)
        let again = try JSONParser.parse(value.jsonText, path: "again.json", line: 1)
        precondition(again == value, "round trip changed the value")
    } catch is ReadError {
    } catch {
        fatalError("unexpected error \(error)")
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
