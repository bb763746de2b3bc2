/// A timestamp as read: either an instant (the text named its zone, or is epoch time) or a
/// wall-clock time whose zone the caller supplies.
public enum ParsedTimestamp: Equatable, Sendable {
    case instant(Timestamp)
    case local(CivilDateTime)
}

/// Parses every timestamp form Notion's exports and the SIEMs that store its stream produce,
/// working on bytes (no Foundation formatter per row):
/// - RFC 3339 / ISO 8601 with `T` or a space, with or without seconds, fraction (up to 9
///   digits) and zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`, ` UTC`): `2023-05-15T19:14:21.031Z`,
///   Panther's `2023-06-12 21:40:28.690000000`, `2023/05/15 19:14`;
/// - epoch seconds or milliseconds (Sumo Logic's `_messagetime`): `1684178061031`;
/// - German: `15.05.2023 19:14`, `15.05.2023, 19:14:05`, `15. Mai 2023 um 19:14`;
/// - English: `May 15, 2023, 7:14 PM`, `May 15, 2023 at 7:14:05 PM`, `15 May 2023 19:14`;
/// - numeric with slashes: `5/15/2023 7:14 PM` (month first when AM/PM is given or the second
///   number exceeds 12), `15/05/2023 19:14` (day first otherwise).
public enum TimestampParser {
    /// Parses `text`; nil when it is no timestamp in any known form.
    public static func parse(_ text: String) -> ParsedTimestamp? {
        var copy = text
        return copy.withUTF8 { parse(bytes: $0) }
    }

    /// Parses UTF-8 bytes; see the type's summary for the forms.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> ParsedTimestamp? {
        var start = 0
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        guard end > start, end - start <= 80 else { return nil }
        if let fast = FastForms.parse(bytes, start, end) { return fast }
        return general(bytes, start, end)
    }

    /// Parses without the fast forms (tests compare the two).
    static func parseGeneral(_ text: String) -> ParsedTimestamp? {
        var copy = text
        return copy.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            while start < end && isSpace(bytes[start]) { start += 1 }
            while end > start && isSpace(bytes[end - 1]) { end -= 1 }
            guard end > start, end - start <= 80 else { return nil }
            return general(bytes, start, end)
        }
    }

    private static func general(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> ParsedTimestamp? {
        var tokens = Tokens()
        guard tokenize(bytes, start, end, into: &tokens) else { return nil }
        return interpret(tokens)
    }

    // MARK: tokens

    enum Token: Equatable {
        case number(value: Int, digits: Int)
        case word(String)
        case symbol(UInt8)
    }

    struct Tokens {
        var items: [Token] = []
        var index = 0
        var current: Token? { index < items.count ? items[index] : nil }
        mutating func take() -> Token? {
            defer { index += 1 }
            return current
        }
        mutating func skip(symbol: UInt8) -> Bool {
            if current == .symbol(symbol) {
                index += 1
                return true
            }
            return false
        }
        mutating func skip(word: String) -> Bool {
            if current == .word(word) {
                index += 1
                return true
            }
            return false
        }
        var atEnd: Bool { index >= items.count }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0xA0 }

    private static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into tokens: inout Tokens) -> Bool {
        var i = start
        while i < end {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                var value = 0
                var digits = 0
                while i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                    if digits < 18 { value = value * 10 + Int(bytes[i] - 0x30) }
                    digits += 1
                    i += 1
                }
                tokens.items.append(.number(value: value, digits: digits))
            } else if isLetter(b) {
                let wordStart = i
                while i < end, isLetter(bytes[i]) || (bytes[i] == 0x2E && i + 1 < end && isLetter(bytes[i + 1])) { i += 1 }
                // A dot inside a word stays ("a.m"); a trailing one ("Mai.") is a symbol.
                let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[wordStart..<i]), as: UTF8.self)
                tokens.items.append(.word(word.lowercased()))
            } else if b == 0x20 || b == 0x09 {
                i += 1
            } else if b == 0xC2 && i + 1 < end && bytes[i + 1] == 0xA0 {
                i += 2  // no-break space, as some locales put before AM/PM
            } else if b == 0xE2 && i + 2 < end && bytes[i + 1] == 0x80 && bytes[i + 2] == 0xAF {
                i += 3  // narrow no-break space (U+202F), macOS and ICU's choice before AM/PM
            } else if b < 0x80 {
                tokens.items.append(.symbol(b))
                i += 1
            } else {
                return false
            }
            if tokens.items.count > 24 { return false }
        }
        return true
    }

    /// ASCII letters, and the UTF-8 bytes of Latin-1 letters (the lead byte 0xC3 and
    /// continuation bytes), so "März" and "Jänner" are one word.
    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0xC3 || (b >= 0x80 && b <= 0xBF)
    }

    // MARK: interpretation

    private static func interpret(_ input: Tokens) -> ParsedTimestamp? {
        var t = input
        guard let first = t.current else { return nil }
        var year = 0
        var month = 0
        var day = 0
        switch first {
        case .number(let value, let digits) where digits >= 9 && digits <= 13:
            return epoch(value: value, digits: digits, rest: &t)
        case .number(let value, 4):
            // Y-M-D, Y/M/D, Y.M.D
            _ = t.take()
            guard case .symbol(let sep)? = t.take(), sep == 0x2D || sep == 0x2F || sep == 0x2E,
                case .number(let m, _)? = t.take(), t.skip(symbol: sep),
                case .number(let d, _)? = t.take()
            else { return nil }
            (year, month, day) = (value, m, d)
        case .number(let value, 1...2):
            _ = t.take()
            if t.skip(symbol: 0x2E) {
                if case .word(let w)? = t.current, let m = monthNumber(w) {
                    // 15. Mai 2023
                    _ = t.take()
                    _ = t.skip(symbol: 0x2E)
                    guard case .number(let y, 4)? = t.take() else { return nil }
                    (year, month, day) = (y, m, value)
                } else {
                    // 15.05.2023
                    guard case .number(let m, 1...2)? = t.take(), t.skip(symbol: 0x2E),
                        case .number(let y, 4)? = t.take()
                    else { return nil }
                    (year, month, day) = (y, m, value)
                }
            } else if t.skip(symbol: 0x2F) {
                guard case .number(let second, 1...2)? = t.take(), t.skip(symbol: 0x2F),
                    case .number(let y, 4)? = t.take()
                else { return nil }
                let hasMeridiem = t.items.contains { token in
                    if case .word(let w) = token { return meridiem(w) != nil }
                    return false
                }
                if second > 12 || (hasMeridiem && value <= 12) {
                    (year, month, day) = (y, value, second)
                } else {
                    (year, month, day) = (y, second, value)
                }
            } else if case .word(let w)? = t.current, let m = monthNumber(w) {
                // 15 May 2023
                _ = t.take()
                _ = t.skip(symbol: 0x2C)
                guard case .number(let y, 4)? = t.take() else { return nil }
                (year, month, day) = (y, m, value)
            } else {
                return nil
            }
        case .word(let w):
            // May 15, 2023 — possibly after a weekday: "Mon, May 15, 2023"
            var monthWord = w
            if monthNumber(w) == nil {
                _ = t.take()
                _ = t.skip(symbol: 0x2C)
                guard case .word(let w2)? = t.current else { return nil }
                monthWord = w2
            }
            guard let m = monthNumber(monthWord) else { return nil }
            _ = t.take()
            _ = t.skip(symbol: 0x2E)
            guard case .number(let d, 1...2)? = t.take() else { return nil }
            _ = t.skip(symbol: 0x2C)
            guard case .number(let y, 4)? = t.take() else { return nil }
            (year, month, day) = (y, m, d)
        default:
            return nil
        }
        guard (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year: year, month: month),
            (1900...9999).contains(year)
        else { return nil }
        return time(year: year, month: month, day: day, rest: &t)
    }

    private static func epoch(value: Int, digits: Int, rest t: inout Tokens) -> ParsedTimestamp? {
        _ = t.take()
        var ms = digits >= 12 ? value : value * 1000
        if digits <= 10, t.skip(symbol: 0x2E) {
            guard case .number(let fraction, let fd)? = t.take() else { return nil }
            ms += scaleFraction(fraction, digits: fd)
        }
        guard t.atEnd else { return nil }
        return .instant(Timestamp(milliseconds: Int64(ms)))
    }

    private static func time(year: Int, month: Int, day: Int, rest t: inout Tokens) -> ParsedTimestamp? {
        var hour = 0
        var minute = 0
        var second = 0
        var millisecond = 0
        _ = t.skip(symbol: 0x2C)
        _ = t.skip(word: "t") || t.skip(word: "at") || t.skip(word: "um") || t.skip(symbol: 0x2D)
        if case .number(let h, 1...2)? = t.current {
            _ = t.take()
            guard t.skip(symbol: 0x3A), case .number(let m, 2)? = t.take() else { return nil }
            hour = h
            minute = m
            if t.skip(symbol: 0x3A) {
                guard case .number(let s, 2)? = t.take() else { return nil }
                second = s
                if t.skip(symbol: 0x2E) || t.skip(symbol: 0x2C) {
                    guard case .number(let f, let fd)? = t.take() else { return nil }
                    millisecond = scaleFraction(f, digits: fd)
                }
            }
            _ = t.skip(word: "uhr")
            if case .word(let w)? = t.current, let pm = meridiem(w) {
                _ = t.take()
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + (pm ? 12 : 0)
            }
        } else if case .word(let w)? = t.current, w.hasPrefix("t"), w.count > 1 {
            return nil
        }
        guard hour < 24, minute < 60, second <= 60 else { return nil }
        let civil = CivilDateTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59),
            millisecond: millisecond)
        // Zone
        if t.atEnd { return .local(civil) }
        var offsetMinutes = 0
        if t.skip(word: "z") || t.skip(word: "utc") || t.skip(word: "gmt") {
            if t.atEnd { return .instant(instant(civil, offsetMinutes: 0)) }
        }
        guard case .symbol(let sign)? = t.take(), sign == 0x2B || sign == 0x2D,
            case .number(let a, let ad)? = t.take()
        else { return nil }
        if ad == 4 {
            offsetMinutes = (a / 100) * 60 + a % 100
        } else if ad <= 2 {
            offsetMinutes = a * 60
            if t.skip(symbol: 0x3A) {
                guard case .number(let b, 2)? = t.take() else { return nil }
                offsetMinutes += b
            }
        } else {
            return nil
        }
        guard t.atEnd, offsetMinutes <= 18 * 60 else { return nil }
        return .instant(instant(civil, offsetMinutes: sign == 0x2D ? -offsetMinutes : offsetMinutes))
    }

    private static func instant(_ c: CivilDateTime, offsetMinutes: Int) -> Timestamp {
        let local = Timestamp(
            year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second,
            millisecond: c.millisecond)
        return Timestamp(milliseconds: local.milliseconds - Int64(offsetMinutes) * 60_000)
    }

    private static func scaleFraction(_ value: Int, digits: Int) -> Int {
        var v = value
        var d = min(digits, 18)
        while d > 3 {
            v /= 10
            d -= 1
        }
        while d < 3 {
            v *= 10
            d += 1
        }
        return v
    }

    private static func meridiem(_ word: String) -> Bool? {
        switch word {
        case "am", "a.m", "vorm": return false
        case "pm", "p.m", "nachm": return true
        default: return nil
        }
    }

    /// English and German month names and their usual abbreviations.
    static func monthNumber(_ word: String) -> Int? {
        switch word {
        case "jan", "january", "januar", "jän", "jänner": return 1
        case "feb", "february", "februar": return 2
        case "mar", "march", "mär", "märz", "maerz": return 3
        case "apr", "april": return 4
        case "may", "mai": return 5
        case "jun", "june", "juni": return 6
        case "jul", "july", "juli": return 7
        case "aug", "august": return 8
        case "sep", "sept", "september": return 9
        case "oct", "october", "okt", "oktober": return 10
        case "nov", "november": return 11
        case "dec", "december", "dez", "dezember": return 12
        default: return nil
        }
    }
}

/// The forms of the main inputs read straight from the bytes, without tokens: SIEM's ISO 8601
/// (`2026-10-08T00:08:58.976Z`), the German export's `01.10.2026 03:24:55` and the English
/// export's `Oct 1, 2026, 12:24:44 AM`. Anything else (or anything odd in these) returns nil and
/// goes the general way, which gives the same result for these forms.
enum FastForms {
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> ParsedTimestamp? {
        let n = end - start
        let first = b[start]
        if n >= 19 && isDigit(first) && b[start + 4] == 0x2D { return iso(b, start, end) }
        if n == 19 && isDigit(first) && b[start + 2] == 0x2E { return german(b, start) }
        if n >= 23 && n <= 25 && first >= 0x41 && first <= 0x5A { return english(b, start, end) }
        return nil
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// The number in `count` digits at `i`, or -1.
    @inline(__always)
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ count: Int) -> Int {
        var v = 0
        for k in i..<(i + count) {
            let d = b[k] &- 0x30
            if d >= 10 { return -1 }
            v = v * 10 + Int(d)
        }
        return v
    }

    private static func civil(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ ms: Int) -> CivilDateTime? {
        guard y >= 1900, y <= 9999, mo >= 1, mo <= 12, d >= 1, d <= Timestamp.daysInMonth(year: y, month: mo),
            h >= 0, h < 24, mi >= 0, mi < 60, s >= 0, s <= 60
        else { return nil }
        return CivilDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: min(s, 59), millisecond: ms)
    }

    private static func instant(_ c: CivilDateTime, offsetMinutes: Int) -> ParsedTimestamp {
        let local = Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, millisecond: c.millisecond)
        return .instant(Timestamp(milliseconds: local.milliseconds - Int64(offsetMinutes) * 60_000))
    }

    private static func iso(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> ParsedTimestamp? {
        let i = start
        guard b[i + 7] == 0x2D, b[i + 10] == 0x54 || b[i + 10] == 0x20, b[i + 13] == 0x3A, b[i + 16] == 0x3A else { return nil }
        let y = digits(b, i, 4), mo = digits(b, i + 5, 2), d = digits(b, i + 8, 2)
        let h = digits(b, i + 11, 2), mi = digits(b, i + 14, 2), s = digits(b, i + 17, 2)
        var p = i + 19
        var ms = 0
        if p < end && b[p] == 0x2E {
            p += 1
            var count = 0
            var value = 0
            while p < end && isDigit(b[p]) {
                if count < 3 { value = value * 10 + Int(b[p] - 0x30) }
                count += 1
                p += 1
            }
            guard count > 0, count <= 18 else { return nil }
            var scaled = count
            while scaled < 3 {
                value *= 10
                scaled += 1
            }
            ms = value
        }
        guard let c = civil(y, mo, d, h, mi, s, ms) else { return nil }
        if p == end { return .local(c) }
        if b[p] == 0x5A && p + 1 == end { return instant(c, offsetMinutes: 0) }
        // ±hh:mm
        guard end - p == 6, b[p] == 0x2B || b[p] == 0x2D, b[p + 3] == 0x3A else { return nil }
        let oh = digits(b, p + 1, 2), om = digits(b, p + 4, 2)
        guard oh >= 0, om >= 0 else { return nil }
        let offset = oh * 60 + om
        guard offset <= 18 * 60 else { return nil }
        return instant(c, offsetMinutes: b[p] == 0x2D ? -offset : offset)
    }

    private static func german(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> ParsedTimestamp? {
        guard b[i + 5] == 0x2E, b[i + 10] == 0x20, b[i + 13] == 0x3A, b[i + 16] == 0x3A else { return nil }
        let d = digits(b, i, 2), mo = digits(b, i + 3, 2), y = digits(b, i + 6, 4)
        let h = digits(b, i + 11, 2), mi = digits(b, i + 14, 2), s = digits(b, i + 17, 2)
        return civil(y, mo, d, h, mi, s, 0).map { .local($0) }
    }

    private static let months: [UInt32: Int] = {
        var m: [UInt32: Int] = [:]
        for (i, name) in ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].enumerated() {
            let u = Array(name.utf8)
            m[UInt32(u[0]) << 16 | UInt32(u[1]) << 8 | UInt32(u[2])] = i + 1
        }
        return m
    }()

    /// `Oct 1, 2026, 12:24:44 AM` (day and hour in one or two digits).
    private static func english(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> ParsedTimestamp? {
        var i = start
        let key = UInt32(b[i] | 0x20) << 16 | UInt32(b[i + 1] | 0x20) << 8 | UInt32(b[i + 2] | 0x20)
        guard let mo = months[key], b[i + 3] == 0x20 else { return nil }
        i += 4
        func number(_ maxDigits: Int) -> Int {
            var v = 0, count = 0
            while i < end && count < maxDigits && isDigit(b[i]) {
                v = v * 10 + Int(b[i] - 0x30)
                count += 1
                i += 1
            }
            return count == 0 ? -1 : v
        }
        let d = number(2)
        guard d > 0, i + 2 < end, b[i] == 0x2C, b[i + 1] == 0x20 else { return nil }
        i += 2
        let y = digits(b, i, 4)
        i += 4
        guard i + 2 < end, b[i] == 0x2C, b[i + 1] == 0x20 else { return nil }
        i += 2
        let h = number(2)
        guard h >= 1, h <= 12, i + 9 == end, b[i] == 0x3A, b[i + 3] == 0x3A, b[i + 6] == 0x20 else { return nil }
        let mi = digits(b, i + 1, 2), s = digits(b, i + 4, 2)
        let m1 = b[i + 7] | 0x20, m2 = b[i + 8] | 0x20
        guard m2 == 0x6D, m1 == 0x61 || m1 == 0x70 else { return nil }
        let hour = h % 12 + (m1 == 0x70 ? 12 : 0)
        return civil(y, mo, d, hour, mi, s, 0).map { .local($0) }
    }
}
