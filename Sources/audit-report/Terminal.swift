import ArgumentParser
import AuditReportCore
import Foundation

/// The program's terminal: messages to stderr, results to stdout.
enum Terminal {
    /// Writes a message on a line of its own; what came from the input cannot act on the terminal.
    /// - Parameter lines: whether the message's own line breaks stand (the tool's multi-line
    ///   messages); each line is made inert.
    static func error(_ message: String, lines: Bool = false) {
        // On a terminal a progress line may be open: clear it so the message stands alone.
        let clear = stderrIsTerminal ? "\r\u{1B}[K" : ""
        let text = lines ? message.split(separator: "\n", omittingEmptySubsequences: false).map { Diagnostic.inert(String($0)) }.joined(separator: "\n") : Diagnostic.inert(message)
        FileHandle.standardError.write(Data((clear + text + "\n").utf8))
    }

    static func output(_ message: String) {
        FileHandle.standardOutput.write(Data((message + "\n").utf8))
    }

    /// Whether stderr is a terminal (progress is shown only then).
    static var stderrIsTerminal: Bool { isatty(2) != 0 }
}

/// `SOURCE_DATE_EPOCH` (seconds), the reproducible-builds convention for a fixed creation date.
func sourceDateEpoch() throws -> Timestamp? {
    guard let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return nil }
    // Up to the end of year 9999: every date form has four year digits, and no arithmetic overflows.
    guard let seconds = Int64(text), (0...253_402_300_799).contains(seconds) else {
        throw ValidationError("SOURCE_DATE_EPOCH must be whole seconds since 1970 up to 253402300799 (year 9999), not '\(text.prefix(40))'")
    }
    return Timestamp(milliseconds: seconds * 1000)
}

/// A failure a command words itself ("error: …").
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// An error whose description is the whole message for the user ("path:line: error: …"):
/// the core's errors, and the commands' own.
protocol UserFacingError: Error, CustomStringConvertible {}
extension ReadError: UserFacingError {}
extension StrictModeError: UserFacingError {}
extension OutputError: UserFacingError {}
extension CatalogError: UserFacingError {}
extension RenderError: UserFacingError {}
extension RunError: UserFacingError {}
extension StoreError: UserFacingError {}
extension CommandFailure: UserFacingError {}

/// Runs a command body, turning those errors into their message and exit code 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as UserFacingError {
        Terminal.error(error.description)
        throw ExitCode(1)
    } catch let error as ResourceLocator.NotFound {
        Terminal.error(error.description, lines: true)
        throw ExitCode(1)
    }
}
