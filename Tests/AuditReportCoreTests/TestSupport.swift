import Foundation
import Testing

@testable import AuditReportCore

/// Shared fixtures: the repository's Locales, temporary folders, and reading text as an input.
enum TestSupport {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let localesURL = repositoryRoot.appendingPathComponent("Locales")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let store: LocaleStore = try! LocaleStore.load(from: localesURL)
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    /// A fresh empty folder under the system's temporary directory.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("audit-report-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to a new file named `name` and returns its path.
    static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let url = temporaryDirectory().appendingPathComponent(name)
        FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url.path
    }

    static func file(_ name: String, _ text: String) -> String { file(name, Array(text.utf8)) }

    /// What reading one input gave.
    struct Read {
        var events: [AuditEvent]
        var summary: ReadSummary
        var diagnostics: [Diagnostic]
    }

    /// Reads the file at `path` with the shipped catalogue.
    static func read(path: String, inputTimeZone: TimeZone = utc, strict: Bool = false, encoding: TextEncoding? = nil) throws -> Read {
        let diagnostics = DiagnosticsEngine(strict: strict)
        var events: [AuditEvent] = []
        var context = ReadContext(store: store, inputIndex: 0, inputTimeZone: inputTimeZone, diagnostics: diagnostics)
        context.inputEncoding = encoding
        let summary = try InputReader.read(path: path, context: context) { events.append($0) }
        return Read(events: events, summary: summary, diagnostics: diagnostics.diagnostics)
    }

    /// Reads `text` as a file named `name`.
    static func read(_ name: String, _ text: String, inputTimeZone: TimeZone = utc, strict: Bool = false) throws -> Read {
        try read(path: file(name, text), inputTimeZone: inputTimeZone, strict: strict)
    }

    /// The error a read throws, or nil.
    static func readError(path: String) -> ReadError? {
        do {
            _ = try read(path: path)
            return nil
        } catch let error as ReadError {
            return error
        } catch {
            return nil
        }
    }

    static func ts(_ text: String) -> Timestamp {
        guard case .instant(let t)? = TimestampParser.parse(text) else { fatalError("bad test timestamp \(text)") }
        return t
    }

    /// Gzip-compresses `text` with the system's gzip.
    static func gzip(_ text: String) -> [UInt8] {
        let input = file("plain.txt", text)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", input]
        let pipe = Pipe()
        process.standardOutput = pipe
        try! process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}
