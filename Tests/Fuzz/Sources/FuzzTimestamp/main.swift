import AuditReportCore
import Foundation

/// The timestamp parser on any bytes: nil or a timestamp whose fields are in range.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    switch TimestampParser.parse(bytes: UnsafeBufferPointer(start: data, count: size)) {
    case .local(let c)?:
        precondition((1...12).contains(c.month) && (1...31).contains(c.day) && (0...23).contains(c.hour) && (0...59).contains(c.minute) && (0...59).contains(c.second), "field out of range")
        _ = Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second).description
    case .instant(let t)?:
        _ = t.description
    case nil:
        break
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
