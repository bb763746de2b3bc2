import Foundation

/// The names the report gives its inputs (in the inputs table and every "file:line"
/// reference): the file name, or as many of its folders as it takes to tell inputs of the
/// same name apart (`2026/10/30.jsonl` and `2026/11/30.jsonl` from a collect store; two
/// `export.csv` from different folders).
public enum InputNames {
    public static func distinct(_ paths: [String]) -> [String] {
        let parts = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.pathComponents.filter { $0 != "/" } }
        // A collect store's segment is named by its day: "2026/10/30.jsonl.gz".
        var depth = parts.map { isStoreSegment($0) ? 3 : 1 }
        func name(_ i: Int) -> String { parts[i].suffix(depth[i]).joined(separator: "/") }
        // Lengthen every name that another input shares until none is shared (or the whole path is used).
        while true {
            var byName: [String: [Int]] = [:]
            for i in parts.indices { byName[name(i), default: []].append(i) }
            var grew = false
            for (_, group) in byName where group.count > 1 {
                for i in group where depth[i] < parts[i].count {
                    depth[i] += 1
                    grew = true
                }
            }
            if !grew { break }
        }
        return parts.indices.map { parts[$0].isEmpty ? paths[$0] : name($0) }
    }

    static func isStoreSegment(_ components: [String]) -> Bool {
        guard components.count >= 3 else { return false }
        let year = components[components.count - 3], month = components[components.count - 2], file = components[components.count - 1]
        let day = file.prefix { $0 != "." }
        return year.count == 4 && Int(year) != nil && month.count == 2 && Int(month) != nil && day.count == 2 && Int(day) != nil
            && (file.hasSuffix(".jsonl") || file.hasSuffix(".jsonl.gz"))
    }
}
