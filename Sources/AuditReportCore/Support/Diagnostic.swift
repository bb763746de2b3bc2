import Foundation

/// A recoverable problem with the input, printed compiler-style: `events.csv:17: warning: …`.
public struct Diagnostic: Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case warning
        case note
    }

    public var severity: Severity
    /// The file the problem is in; empty for problems of the run as a whole.
    public var file: String
    /// 1-based line; 0 when the problem has no line.
    public var line: Int
    public var message: String

    public init(_ severity: Severity = .warning, file: String, line: Int, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { formatted(as: severity.rawValue) }

    /// A message made harmless for a terminal: control characters (escape sequences that retitle
    /// or clear the screen, write the clipboard, move the cursor to overprint), line breaks and
    /// bidirectional overrides from the input are shown as `\u{…}` instead of acting.
    public static func inert(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
    }

    /// `file:line: <word>: message`, where the word says how the problem is treated.
    public func formatted(as word: String) -> String {
        let place = file.isEmpty ? "audit-report" : (line > 0 ? "\(file):\(line)" : file)
        return "\(place): \(word): \(message)"
    }
}

/// Collects diagnostics of a run; in strict mode the first warning ends the run.
///
/// Thread-safe: the writer thread reports into the run's engine too.
public final class DiagnosticsEngine: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [Diagnostic] = []
    public let strict: Bool
    /// How many diagnostics with the same message are kept before further ones are only counted.
    public let limitPerMessage: Int
    private var counts: [String: Int] = [:]
    private var suppressed = 0
    private let onEmit: (Diagnostic) -> Void
    /// Where holding back began (see `hold`): what was kept and counted then.
    private var held: (kept: Int, counts: [String: Int], suppressed: Int)?

    /// - Parameters:
    ///   - strict: turn every warning into a thrown `StrictModeError`.
    ///   - onEmit: called for each diagnostic kept (the CLI prints it to stderr).
    public init(strict: Bool = false, limitPerMessage: Int = 20, onEmit: @escaping (Diagnostic) -> Void = { _ in }) {
        self.strict = strict
        self.limitPerMessage = limitPerMessage
        self.onEmit = onEmit
    }

    /// Records a diagnostic.
    /// - Throws: `StrictModeError` for a warning in strict mode.
    public func emit(_ diagnostic: Diagnostic) throws {
        if strict && diagnostic.severity == .warning {
            throw StrictModeError(diagnostic: diagnostic)
        }
        lock.lock()
        defer { lock.unlock() }
        keep(diagnostic)
    }

    /// Counts the diagnostic, and keeps (and shows) it unless its kind is past the limit.
    private func keep(_ diagnostic: Diagnostic) {
        let kind = diagnostic.file + "\u{0}" + Self.shape(of: diagnostic.message)
        let seen = counts[kind, default: 0]
        counts[kind] = seen + 1
        guard seen < limitPerMessage else {
            suppressed += 1
            return
        }
        kept.append(diagnostic)
        if held == nil { onEmit(diagnostic) }
    }

    /// Holds back what comes from now on: kept and counted as ever, but not shown until
    /// `release`; `discardHeld` forgets it. A run that may have to be made again (a streamed
    /// one) holds back, so that each diagnostic of the run is shown once.
    public func hold() {
        lock.lock()
        defer { lock.unlock() }
        precondition(held == nil, "already holding back")
        held = (kept.count, counts, suppressed)
    }

    /// Takes over other engines' diagnostics, in order, as if they had come before all that
    /// is held back (what a run reading on other threads found comes first, as when it had
    /// read before going on). Not holding back, the same as `absorb` one after the other.
    func absorbBeforeHeld(_ others: [DiagnosticsEngine]) throws {
        guard let state = (lock.withLock { held }) else {
            for other in others { try absorb(other) }
            return
        }
        let earlier = others.flatMap(\.diagnostics)
        if strict, let warning = earlier.first(where: { $0.severity == .warning }) { throw StrictModeError(diagnostic: warning) }
        lock.lock()
        defer { lock.unlock() }
        // Counted again from where holding began, the earlier ones first, so the limit per
        // message keeps what it would have kept had they come first.
        let later = Array(kept[state.kept...])
        let suppressedLater = suppressed - state.suppressed
        kept.removeSubrange(state.kept...)
        counts = state.counts
        suppressed = state.suppressed + suppressedLater + others.reduce(0) { $0 + $1.suppressedCount }
        for diagnostic in earlier + later { keep(diagnostic) }
    }

    /// Diagnostics only counted (past the limit per message).
    private var suppressedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return suppressed
    }

    /// Shows what was held back, and stops holding back.
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        guard let start = held?.kept else { return }
        held = nil
        for diagnostic in kept[start...] { onEmit(diagnostic) }
    }

    /// Forgets what was held back (as if it had never come), and stops holding back.
    public func discardHeld() {
        lock.lock()
        defer { lock.unlock() }
        guard let state = held else { return }
        held = nil
        kept.removeSubrange(state.kept...)
        counts = state.counts
        suppressed = state.suppressed
    }

    /// Takes over what another engine collected (an input read on another thread): its
    /// diagnostics as if emitted here, and the count of those it only counted.
    public func absorb(_ other: DiagnosticsEngine) throws {
        for diagnostic in other.diagnostics { try emit(diagnostic) }
        let more = other.suppressedCount
        lock.lock()
        suppressed += more
        lock.unlock()
    }

    /// The diagnostics kept, in the order they came.
    public var diagnostics: [Diagnostic] {
        lock.lock()
        defer { lock.unlock() }
        return kept
    }

    /// Warnings kept plus those only counted.
    public var warningCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return kept.filter { $0.severity == .warning }.count + suppressed
    }

    /// The message with digits and quoted input ('…') removed, so "line 5" and "line 6", or two
    /// unreadable timestamps, count as one kind (memory stays bounded by the kinds of problems,
    /// not their number).
    static func shape(of message: String) -> String {
        var out = String.UnicodeScalarView()
        var quoted = false
        var previous: Unicode.Scalar = " "
        for scalar in message.unicodeScalars {
            if scalar == "'" {
                // A quote opens after a space, colon or bracket and closes before one.
                if !quoted && (previous == " " || previous == "(" || previous == ":") { quoted = true; out.append("'") }
                else if quoted { quoted = false; out.append("'") }
                else { out.append(scalar) }
            } else if !quoted && !("0"..."9").contains(scalar) {
                out.append(scalar)
            }
            previous = scalar
        }
        return String(out.prefix(200))
    }
}

/// A warning made fatal by `--strict`.
public struct StrictModeError: Error, Equatable, CustomStringConvertible {
    public var diagnostic: Diagnostic
    public var description: String {
        var d = diagnostic
        d.message += " (--strict)"
        return d.formatted(as: "error")
    }
}
