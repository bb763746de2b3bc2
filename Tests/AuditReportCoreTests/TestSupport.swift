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

    /// This test process's folder under the system's temporary directory, removed when the
    /// process exits (`KEEP_TEST_FILES=1` keeps it), so test runs do not pile up folders in /tmp.
    /// Folders left by test processes that died are removed when the next one starts.
    static let temporaryRoot: URL = {
        let base = FileManager.default.temporaryDirectory
        let prefix = "audit-report-tests-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? [] where name.hasPrefix(prefix) {
            let pid = name.dropFirst(prefix.count).prefix { $0 != "-" }
            // Only folders of this naming whose process is gone (kill with signal 0 fails with ESRCH).
            if let pid = pid_t(pid), kill(pid, 0) != 0, errno == ESRCH { try? FileManager.default.removeItem(at: base.appendingPathComponent(name)) }
        }
        let url = base.appendingPathComponent("\(prefix)\(getpid())-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        temporaryRootPath = url.path
        if ProcessInfo.processInfo.environment["KEEP_TEST_FILES"] == nil {
            atexit { if let path = TestSupport.temporaryRootPath { try? FileManager.default.removeItem(atPath: path) } }
        }
        return url
    }()
    nonisolated(unsafe) private static var temporaryRootPath: String?

    /// A fresh empty folder under this process's temporary root.
    static func temporaryDirectory() -> URL {
        let url = temporaryRoot.appendingPathComponent(UUID().uuidString)
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
