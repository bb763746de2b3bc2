import AuditReportCore
import Foundation

/// Finds the resource folders in a fixed order: `--resources`, `$AUDIT_REPORT_RESOURCES`, the
/// bundle beside the program (as `swift build` lays it out), `../share/audit-report` beside the
/// program (as `make install` lays it out), then the current directory. A folder named by the
/// flag is the only place looked in. A missing folder is an error listing every place tried,
/// never a crash.
enum ResourceLocator {
    struct NotFound: Error, CustomStringConvertible {
        var name: String
        var tried: [String]
        var description: String {
            "error: cannot find the \(name) folder; looked in:\n" + tried.map { "  \($0)" }.joined(separator: "\n")
                + "\nname its parent folder with --resources or AUDIT_REPORT_RESOURCES"
        }
    }

    static func folder(_ name: String, flag: String?) throws -> URL {
        var candidates: [URL] = []
        if let flag {
            candidates.append(URL(fileURLWithPath: flag).appendingPathComponent(name))
            return try first(of: candidates, name: name)
        }
        if let env = ProcessInfo.processInfo.environment["AUDIT_REPORT_RESOURCES"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env).appendingPathComponent(name))
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let dir = executable.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("audit-report_audit-report.resources").appendingPathComponent(name))
            candidates.append(dir.deletingLastPathComponent().appendingPathComponent("share/audit-report").appendingPathComponent(name))
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(name))
        return try first(of: candidates, name: name)
    }

    private static func first(of candidates: [URL], name: String) throws -> URL {
        for url in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return url
            }
        }
        throw NotFound(name: name, tried: candidates.map(\.path))
    }
}
