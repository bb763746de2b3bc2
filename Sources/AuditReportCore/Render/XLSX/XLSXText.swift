/// Makes text safe for a workbook cell or sheet tab.
public enum XLSXText {
    /// Excel's limit on the characters of one cell.
    public static let maxCellCharacters = 32_767
    /// Excel's limit on a sheet name.
    public static let maxSheetNameCharacters = 31

    /// The cell text: control characters (but tab and line feed) replaced with U+FFFD, CRLF
    /// folded to LF, a literal `_xHHHH_` kept literal (Excel would decode it), and text over
    /// Excel's limit cut with `marker` at the end.
    /// - Returns: the text and whether it was cut.
    public static func cell(_ text: String, marker: String) -> (text: String, truncated: Bool) {
        changedCell(text, marker: marker) ?? (text, false)
    }

    /// The same, or nil when `text` can go into a cell as it is (as most can): a row can then
    /// keep the texts it was given, with no copy of each.
    static func changedCell(_ text: String, marker: String) -> (text: String, truncated: Bool)? {
        // Fast scan over the bytes in place: only control bytes and "_x"/"_X" need the slow path.
        var result = text
        let needsWork = result.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            // Eight bytes at a time up to a word with a control byte, DEL or "_" (the unique
            // cells of a row, an event's id and source, are mostly such words); from there on
            // byte by byte (no "_" ends a word passed over, so none is missed before an "x").
            var i = 0
            while i + 8 <= bytes.count {
                let w = ByteWord.load(base, i)
                if ByteWord.below(w, 0x20) | ByteWord.has(w, 0x7F) | ByteWord.has(w, 0x5F) != 0 { break }
                i += 8
            }
            var previous: UInt8 = 0
            while i < bytes.count {
                let b = bytes[i]
                if (b < 0x20 && b != 0x09 && b != 0x0A) || b == 0x7F || (previous == 0x5F && (b == 0x78 || b == 0x58)) { return true }
                previous = b
                i += 1
            }
            return false
        }
        if needsWork {
            var out = String.UnicodeScalarView()
            let scalars = Array(text.unicodeScalars)
            var i = 0
            while i < scalars.count {
                let s = scalars[i]
                if s == "\r" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\n" {
                        i += 1
                        continue
                    }
                    out.append("\n")
                } else if (s.value < 0x20 && s != "\t" && s != "\n") || s.value == 0x7F {
                    out.append("\u{FFFD}")
                } else if s == "_" && isEscapeAt(scalars, i) {
                    out.append(contentsOf: "_x005F_".unicodeScalars)
                } else {
                    out.append(s)
                }
                i += 1
            }
            result = String(out)
        }
        // UTF-16 units never exceed UTF-8 bytes, and counting bytes is free.
        guard result.utf8.count > maxCellCharacters, result.utf16.count > maxCellCharacters else { return needsWork ? (result, false) : nil }
        // Excel counts UTF-16 units; cut on a character boundary.
        let budget = maxCellCharacters - marker.utf16.count
        // ASCII up to and past the cut (as most long texts are): every place between two ASCII
        // characters is a boundary (CR LF, the one pair that is not, is folded by now).
        let asciiCut = result.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.count > budget && !bytes[...budget].contains { $0 >= 0x80 }
        }
        if asciiCut == true { return (String(result.utf8.prefix(budget))! + marker, true) }
        // Else step over characters (a String built by appending each cost 500 instructions a
        // character).
        var units = 0
        var end = result.startIndex
        while end < result.endIndex {
            let next = result.index(after: end)
            let n = result.utf16.distance(from: end, to: next)
            if units + n > budget { break }
            units += n
            end = next
        }
        return (String(result[..<end]) + marker, true)
    }

    /// `_xHHHH_` starting at `i`.
    private static func isEscapeAt(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        guard i + 6 < s.count, s[i + 1] == "x" || s[i + 1] == "X", s[i + 6] == "_" else { return false }
        return s[(i + 2)...(i + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// A valid, unique sheet name from `proposed`: no `[]:*?/\`, no leading or trailing
    /// apostrophe, at most 31 characters, unique among `existing` ignoring case in any script;
    /// a number is added (" (2)") to tell equal names apart.
    public static func sheetName(_ proposed: String, existing: [String]) -> String {
        let forbidden: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]
        var base = String(proposed.filter { !forbidden.contains($0) && !($0.unicodeScalars.first!.value < 0x20) })
        while base.hasPrefix("'") { base.removeFirst() }
        while base.hasSuffix("'") { base.removeLast() }
        base = base.trimmingCharacters(in: .whitespaces)
        if base.isEmpty || base.lowercased() == "history" { base = "Sheet" }
        let taken = Set(existing.map { $0.lowercased() })
        var candidate = truncate(base, to: maxSheetNameCharacters)
        var n = 2
        while taken.contains(candidate.lowercased()) {
            let suffix = " (\(n))"
            candidate = truncate(base, to: maxSheetNameCharacters - suffix.count) + suffix
            n += 1
        }
        return candidate
    }

    /// At most `count` characters as libxlsxwriter counts them (Unicode scalars).
    private static func truncate(_ text: String, to count: Int) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(count) { out.append(scalar) }
        // Do not end in a lone combining mark or apostrophe.
        var result = String(out)
        while result.hasSuffix("'") { result.removeLast() }
        return result
    }

    /// The Excel serial number of a wall-clock time (days since 1899-12-30, fraction for the time).
    public static func serial(_ c: CivilDateTime) -> Double {
        let days = Timestamp.daysFromCivil(year: c.year, month: c.month, day: c.day) - Timestamp.daysFromCivil(year: 1899, month: 12, day: 30)
        let seconds = Double(c.hour * 3600 + c.minute * 60 + c.second) + Double(c.millisecond) / 1000
        return Double(days) + seconds / 86_400
    }
}

import Foundation
