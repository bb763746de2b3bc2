/// Writes CSV rows: quotes where needed, and neutralizes cells a spreadsheet would run as a
/// formula (leading `=`, `+`, `-`, `@`, tab, CR or LF) with a leading apostrophe, as OWASP
/// advises, except plain numbers such as `-5` or `+49`.
public struct CSVWriter {
    public let dialect: CSVDialect
    private let file: OutputFile

    public init(file: OutputFile, dialect: CSVDialect) {
        self.file = file
        self.dialect = dialect
        if dialect.writesBOM { file.write("\u{FEFF}") }
    }

    /// Writes one row.
    public func row(_ fields: [String]) {
        let delimiter = dialect.delimiter
        for i in fields.indices {
            if i > 0 { file.write(byte: delimiter) }
            // Most cells need neither a guard nor quotes: one pass over the bytes, where they
            // stand, tells, and writes them (this runs for every cell of the events CSV).
            let written = fields[i].utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard let first = bytes.first else { return true }
                guard !Self.mayStartFormula(first), Self.isPlain(bytes, delimiter: delimiter) else { return false }
                file.write(UnsafeRawBufferPointer(bytes))
                return true
            }
            if written == true { continue }
            let field = fields[i]
            if field.isEmpty { continue }
            var safe = Self.neutralize(field)
            safe.withUTF8 { bytes in
                guard bytes.contains(where: { $0 == 0x22 || $0 == delimiter || $0 == 0x0A || $0 == 0x0D }) else {
                    file.write(UnsafeRawBufferPointer(bytes))
                    return
                }
                file.write(byte: 0x22)
                var start = 0
                for (j, b) in bytes.enumerated() where b == 0x22 {
                    file.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...j]))
                    file.write(byte: 0x22)
                    start = j + 1
                }
                file.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
                file.write(byte: 0x22)
            }
        }
        file.write(byte: 0x0D)
        file.write(byte: 0x0A)
    }

    /// Whether a cell's bytes need no quotes and hold no NUL: no quote, delimiter, CR or LF.
    /// Eight bytes at a time; a word with a control character (CR, LF and NUL among them) is
    /// looked at byte by byte.
    @inline(__always)
    static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            let w = ByteWord.load(base, i)
            if ByteWord.has(w, 0x22) | ByteWord.has(w, delimiter) | ByteWord.below(w, 0x0E) != 0 { break }
            i += 8
        }
        while i < n {
            let b = base[i]
            if b == 0x22 || b == delimiter || b == 0x0A || b == 0x0D || b == 0 { return false }
            i += 1
        }
        return true
    }

    /// Whether a cell starting with this byte may need `neutralize`'s guard: the formula
    /// starters, a space before one, and the first byte of the full-width forms (U+FFxx).
    @inline(__always)
    static func mayStartFormula(_ first: UInt8) -> Bool {
        switch first {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x0A, 0x20, 0xEF: return true
        default: return false
        }
    }

    /// The cell as written: neutralized, then quoted if it holds a quote, delimiter or line break.
    public static func escape(_ value: String, delimiter: UInt8) -> String {
        let safe = neutralize(value)
        var needsQuotes = false
        for b in safe.utf8 where b == 0x22 || b == delimiter || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return safe }
        var out = "\""
        for ch in safe.unicodeScalars {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        return out + "\""
    }

    /// Prefixes `'` to a cell that would start a formula (also after leading spaces, and with the
    /// full-width `＝ ＋ － ＠` that spreadsheets read as their ASCII forms); plain numbers are left
    /// alone. NUL, which no spreadsheet reads as text, becomes U+FFFD.
    public static func neutralize(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        var value = value
        if value.utf8.withContiguousStorageIfAvailable({ $0.contains(0) }) ?? value.utf8.contains(0) {
            value = value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
        }
        switch first {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x0A:
            return isPlainNumber(value) ? value : "'" + value
        case 0x20, 0xEF:
            let start = value.unicodeScalars.first { $0 != " " }
            if let start, ["=", "+", "-", "@", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"].contains(start),
                !isPlainNumber(value.trimmingCharacters(in: .whitespaces))
            {
                return "'" + value
            }
            return value
        default:
            return value
        }
    }

    /// The inverse of `neutralize`, for reading this tool's own CSV back: a `'` before what would
    /// start a formula is dropped. Any other text is returned as it is.
    public static func unneutralize(_ value: String) -> String {
        guard value.utf8.first == 0x27 else { return value }
        let rest = String(value.dropFirst())
        return neutralize(rest) == value ? rest : value
    }

    /// `[+-]digits[.,digits]` with an optional exponent.
    static func isPlainNumber(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        var i = 0
        if i < bytes.count && (bytes[i] == 0x2B || bytes[i] == 0x2D) { i += 1 }
        let startDigits = i
        while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
        guard i > startDigits else { return false }
        if i < bytes.count && (bytes[i] == 0x2E || bytes[i] == 0x2C) {
            i += 1
            let fraction = i
            while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            guard i > fraction else { return false }
        }
        if i < bytes.count && (bytes[i] == 0x45 || bytes[i] == 0x65) {
            i += 1
            if i < bytes.count && (bytes[i] == 0x2B || bytes[i] == 0x2D) { i += 1 }
            let exponent = i
            while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            guard i > exponent else { return false }
        }
        return i == bytes.count
    }
}
