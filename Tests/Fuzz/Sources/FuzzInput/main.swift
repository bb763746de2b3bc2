import AuditReportCore
import Foundation

/// A whole input file through kind detection and the CSV, SIEM JSON (every wrapper shape) and
/// ticket readers: events, warnings or a `ReadError`, never a crash.
let store: LocaleStore = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try! LocaleStore.load(from: root.appendingPathComponent("Locales"))
}()
let path = "/dev/shm/audit-report-fuzz-\(getpid()).dat"

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    var context = ReadContext(store: store, inputIndex: 0, inputTimeZone: TimeZone(identifier: "UTC")!, diagnostics: DiagnosticsEngine())
    context.onTicket = { _ in }
    do {
        _ = try InputReader.read(path: path, context: context) { _ in }
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
