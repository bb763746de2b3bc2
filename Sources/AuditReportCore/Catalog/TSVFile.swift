import Foundation

/// Reads the small tab-separated data files under `Locales/`: a header row, `#` comments,
/// blank lines ignored; every row must have the header's column count.
enum TSVFile {
    struct Row {
        var line: Int
        var values: [String]
    }

    /// - Parameter columns: the header the file must start with (further columns are allowed).
    static func read(_ url: URL, columns: [String]) throws -> [Row] {
        try readWithHeader(url, columns: columns).rows
    }

    /// The header row and the rows.
    static func readWithHeader(_ url: URL, columns: [String]) throws -> (header: [String], rows: [Row]) {
        let data = try DataFile.read(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "not valid UTF-8")
        }
        var rows: [Row] = []
        var header: [String]?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty || line.hasPrefix("#") { continue }
            let values = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let header else {
                guard Array(values.prefix(columns.count)) == columns else {
                    throw CatalogError.invalidFile(path: url.path, line: index + 1, message: "header must start with \(columns.joined(separator: ", "))")
                }
                header = values
                continue
            }
            guard values.count == header.count else {
                throw CatalogError.invalidFile(path: url.path, line: index + 1, message: "expected \(header.count) tab-separated columns, found \(values.count)")
            }
            rows.append(Row(line: index + 1, values: values))
        }
        guard let header else {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "no header row")
        }
        return (header, rows)
    }
}
