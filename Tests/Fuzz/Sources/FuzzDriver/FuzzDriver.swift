import Foundation

/// libFuzzer's driver, called from each target's own main (SwiftPM gives executables theirs,
/// so libFuzzer's main is not linked in).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The test of the running target; libFuzzer's C callback cannot capture it.
nonisolated(unsafe) private var currentTest: ((UnsafeBufferPointer<UInt8>) -> Void)?

/// Runs libFuzzer with the process's arguments on `test`, which must end every input without
/// crashing (a precondition failure is a finding).
public func fuzz(_ test: @escaping (UnsafeBufferPointer<UInt8>) -> Void) -> Never {
    currentTest = test
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(runDriver(&argc, &argv) { data, size in
        currentTest?(UnsafeBufferPointer(start: data, count: size))
        return 0
    })
}
