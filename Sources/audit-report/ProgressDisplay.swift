import AuditReportCore
import Foundation

/// Progress on stderr, on one rewritten line, only when stderr is a terminal and not --quiet:
/// bytes read with the rate and the time left, then events written, then each file written.
final class ProgressDisplay {
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lineOpen = false

    /// A display, or nil when progress must not be shown.
    static func make(quiet: Bool) -> ProgressDisplay? {
        quiet || !Terminal.stderrIsTerminal ? nil : ProgressDisplay()
    }

    func report(_ progress: RunProgress) {
        switch progress {
        case .reading(let bytes, let total):
            guard Date().timeIntervalSince(lastDraw) > 0.25 else { return }
            let seconds = max(Date().timeIntervalSince(start), 0.001)
            let rate = Double(bytes) / seconds
            let left = total > bytes && rate > 0 ? Double(total - bytes) / rate : 0
            let percent = total > 0 ? Int(Double(bytes) * 100 / Double(total)) : 0
            draw("reading \(percent)%  \(Self.megabytes(bytes)) of \(Self.megabytes(total))  \(Self.megabytes(Int64(rate)))/s  ~\(Int(left.rounded())) s left")
        case .writing(let events, let total):
            guard Date().timeIntervalSince(lastDraw) > 0.25 else { return }
            draw("writing \(events) of \(total) events")
        case .wrote(let path):
            draw("wrote \(path)")
            FileHandle.standardError.write(Data("\n".utf8))
            lineOpen = false
        }
    }

    /// Ends the progress line so messages after it start on their own.
    func finish() {
        if lineOpen { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        lineOpen = false
    }

    private func draw(_ text: String) {
        lastDraw = Date()
        lineOpen = true
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
