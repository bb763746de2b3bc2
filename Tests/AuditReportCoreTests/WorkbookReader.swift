import Foundation
import ZIPFoundation

/// Opens a produced .xlsx the way a test needs: sheet names in tab order, and cells by
/// reference with their type, value, text and number format.
struct WorkbookReader {
    struct Cell: Equatable {
        /// `n` (number), `inlineStr`, `s` (shared string), `str`, `b`.
        var type: String
        var value: String
        var numberFormat: String?
        var hasFormula: Bool
    }

    let parts: [String: String]
    let sheetNames: [String]
    private let sheetPaths: [String]
    private let numberFormats: [String]

    init(path: String) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        var parts: [String: String] = [:]
        for entry in archive where entry.type == .file {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            parts[entry.path] = String(decoding: data, as: UTF8.self)
        }
        self.parts = parts
        // <sheet name="…" sheetId="1" r:id="rId1"/>, in tab order.
        let sheets = Self.tags("sheet", in: parts["xl/workbook.xml"]!)
        sheetNames = sheets.map { $0["name", default: ""] }
        var targets: [String: String] = [:]
        for rel in Self.tags("Relationship", in: parts["xl/_rels/workbook.xml.rels"]!) {
            targets[rel["Id", default: ""]] = "xl/" + rel["Target", default: ""]
        }
        sheetPaths = sheets.map { targets[$0["r:id", default: ""]] ?? "" }
        // Style index → number format code.
        let styles = parts["xl/styles.xml"]!
        var custom: [String: String] = [:]
        for f in Self.tags("numFmt", in: styles) { custom[f["numFmtId", default: ""]] = f["formatCode", default: ""] }
        let cellXfs = styles.components(separatedBy: "<cellXfs").dropFirst().first?.components(separatedBy: "</cellXfs>").first ?? ""
        numberFormats = Self.tags("xf", in: cellXfs).map { xf in
            let id = xf["numFmtId", default: "0"]
            return custom[id] ?? (id == "0" ? "General" : "builtin:\(id)")
        }
    }

    /// The attributes of every `<name …>` tag in `xml` (entities decoded).
    static func tags(_ name: String, in xml: String) -> [[String: String]] {
        xml.components(separatedBy: "<\(name) ").dropFirst().map { chunk in
            var attributes: [String: String] = [:]
            var rest = chunk.prefix { $0 != ">" }
            while let eq = rest.range(of: "=\"") {
                let key = rest[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
                let valueStart = eq.upperBound
                let value = rest[valueStart...].prefix { $0 != "\"" }
                attributes[key] = value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
                let next = rest.index(valueStart, offsetBy: value.count + 1, limitedBy: rest.endIndex) ?? rest.endIndex
                rest = rest[next...]
            }
            return attributes
        }
    }

    func sheetXML(_ name: String) -> String {
        parts[sheetPaths[sheetNames.firstIndex(of: name)!]]!
    }

    /// The cell at `reference` (e.g. `B2`) of sheet `name`, or nil when empty.
    func cell(_ name: String, _ reference: String) throws -> Cell? {
        let xml = sheetXML(name)
        guard let open = xml.range(of: "<c r=\"\(reference)\"") else { return nil }
        let rest = xml[open.lowerBound...]
        let tagEnd = rest.firstIndex(of: ">")!
        let tag = rest[..<tagEnd]
        let attributes = Self.tags("c", in: String(tag) + ">").first ?? [:]
        let body: Substring
        if tag.hasSuffix("/") {
            body = ""
        } else {
            let close = rest.range(of: "</c>")!
            body = rest[rest.index(after: tagEnd)..<close.lowerBound]
        }
        let type = attributes["t"] ?? "n"
        let style = Int(attributes["s"] ?? "0") ?? 0
        func texts(_ element: String) -> String {
            body.components(separatedBy: "<\(element)").dropFirst().map { part in
                guard let start = part.firstIndex(of: ">"), !part[..<start].hasSuffix("/") else { return "" }
                return String(part[part.index(after: start)...].prefix { $0 != "<" })
            }.joined()
        }
        let raw = type == "inlineStr" ? texts("t") : texts("v")
        let value = raw.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        return Cell(type: type, value: value, numberFormat: style < numberFormats.count ? numberFormats[style] : nil, hasFormula: body.contains("<f>") || body.contains("<f "))
    }

    /// The texts of row `row` (1-based) from column A on, up to `count` cells.
    func row(_ name: String, _ row: Int, count: Int) throws -> [String] {
        try (0..<count).map { i in try cell(name, WorkbookReader.column(i) + String(row))?.value ?? "" }
    }

    static func column(_ index: Int) -> String {
        var n = index
        var s = ""
        repeat {
            s = String(UnicodeScalar(UInt8(65 + n % 26))) + s
            n = n / 26 - 1
        } while n >= 0
        return s
    }

    /// Whether any part of the workbook holds a formula element.
    var hasFormulas: Bool {
        parts.filter { $0.key.hasPrefix("xl/worksheets/") }.values.contains { $0.contains("<f>") || $0.contains("<f ") }
    }
}
