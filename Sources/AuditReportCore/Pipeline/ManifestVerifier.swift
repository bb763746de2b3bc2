import Foundation

/// Checks a report against its manifest: every output is there with its recorded size and
/// SHA-256, and every input that is still where it was read is unchanged.
public struct ManifestVerifier {
    /// One file's state.
    public struct Check: Equatable, Sendable {
        public enum State: String, Sendable {
            case unchanged
            case changed
            case missing
            /// An input no longer where it was read: not checked (inputs move; outputs may not).
            case notPresent = "not present"
            /// Written to a device or standard output: nothing to check.
            case notHashed = "not hashed"
        }

        public var role: String
        public var path: String
        public var state: State

        /// Whether the check fails the verification.
        public var fails: Bool { state == .changed || (state == .missing) }
    }

    /// - Throws: `CatalogError` when the file is no manifest of this tool.
    public static func verify(_ url: URL) throws -> [Check] {
        let value = try JSONSettingsFile.value(of: url)
        guard value["manifest_version"] != nil, value["tool"]?["name"]?.scalarText == "audit-report", case .array(let outputs)? = value["outputs"] else {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "not a manifest of audit-report (no manifest_version, tool and outputs)")
        }
        let folder = url.deletingLastPathComponent()
        var checks: [Check] = []
        for output in outputs {
            guard let name = output["name"]?.scalarText else { continue }
            guard let digest = output["sha256"]?.scalarText else {
                checks.append(Check(role: "output", path: name, state: .notHashed))
                continue
            }
            // The report set moves as a whole: outputs are looked for beside the manifest.
            let path = folder.appendingPathComponent(name).path
            checks.append(Check(role: "output", path: path, state: state(path, digest: digest, size: output["size"]?.scalarText, missing: .missing)))
        }
        if case .array(let inputs)? = value["inputs"] {
            for input in inputs {
                guard let path = input["path"]?.scalarText, let digest = input["sha256"]?.scalarText else { continue }
                checks.append(Check(role: "input", path: path, state: state(path, digest: digest, size: input["size"]?.scalarText, missing: .notPresent)))
            }
        }
        return checks
    }

    private static func state(_ path: String, digest: String, size: String?, missing: Check.State) -> Check.State {
        guard FileManager.default.fileExists(atPath: path), let actual = try? SHA256.file(path) else { return missing }
        if let size, let expected = Int64(size), expected != actual.size { return .changed }
        return actual.digest == digest ? .unchanged : .changed
    }
}
