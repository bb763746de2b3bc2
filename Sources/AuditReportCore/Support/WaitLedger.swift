import Foundation

/// Time the run's threads spend blocked on the queues between them, for tuning (the README's
/// benchmark section): with `AUDIT_REPORT_WAITS=1` in the environment, each queue adds up how
/// long its producer waited for room and its consumer for events, and the run prints the totals
/// and each thread's CPU time to standard error at its end. Off, it costs one check of a
/// constant per wait. (A diagnostic for whoever tunes the tool, in English as every diagnostic.)
///
/// A wait is timed only when a thread actually blocks, so the clock is read twice per wait,
/// never per event.
public final class WaitLedger: @unchecked Sendable {
    public static let shared = WaitLedger(enabled: ProcessInfo.processInfo.environment["AUDIT_REPORT_WAITS"] == "1")

    public let enabled: Bool
    private let lock = NSLock()
    /// Per queue side, in order of first wait: nanoseconds blocked and waits.
    private var entries: [(name: String, nanoseconds: UInt64, waits: Int)] = []
    /// Threads' CPU time at their end, in order of ending.
    private var cpu: [(name: String, nanoseconds: UInt64)] = []
    private let started = DispatchTime.now().uptimeNanoseconds

    init(enabled: Bool) { self.enabled = enabled }

    /// Now, for `add(_:since:)`; 0 when the ledger is off.
    @inline(__always)
    public func now() -> UInt64 { enabled ? DispatchTime.now().uptimeNanoseconds : 0 }

    /// Adds the time since `start` (from `now()`) to `name`'s total.
    public func add(_ name: String, since start: UInt64) {
        guard enabled else { return }
        let elapsed = DispatchTime.now().uptimeNanoseconds &- start
        lock.lock()
        defer { lock.unlock() }
        if let i = entries.firstIndex(where: { $0.name == name }) {
            entries[i].nanoseconds += elapsed
            entries[i].waits += 1
        } else {
            entries.append((name, elapsed, 1))
        }
    }

    /// Records the CPU time of the calling thread, at its end, under `name`.
    public func threadEnds(_ name: String) {
        guard enabled else { return }
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        lock.lock()
        defer { lock.unlock() }
        cpu.append((name, UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)))
    }

    /// One line per queue side: seconds blocked, waits, and the run's seconds so far; each
    /// thread's CPU time; the bytes of libxlsxwriter's temporary files, given and on disk.
    public func summary() -> String {
        summary(workbookFiles: WorkbookTemporaryFile.statistics.totals)
    }

    func summary(workbookFiles: (raw: Int64, stored: Int64)) -> String {
        lock.lock()
        defer { lock.unlock() }
        let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var lines = [String(format: "waits over %.2f s of run:", total)]
        for e in entries.sorted(by: { $0.nanoseconds > $1.nanoseconds }) {
            lines.append(String(format: "  %7.3f s  %8d waits  ", Double(e.nanoseconds) / 1e9, e.waits) + e.name)
        }
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        lines.append("CPU time of threads:")
        for (name, ns) in cpu {
            lines.append(String(format: "  %7.3f s  ", Double(ns) / 1e9) + name)
        }
        // The thread asking (the main thread, at the run's end).
        if enabled { lines.append(String(format: "  %7.3f s  ", Double(UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)) / 1e9) + "main (so far)") }
        let (raw, stored) = workbookFiles
        if raw > 0 && stored > 0 {
            lines.append(String(format: "workbook temporary files: %.1f MB written as %.1f MB (%.1f to 1)", Double(raw) / 1e6, Double(stored) / 1e6, Double(raw) / Double(stored)))
        }
        return lines.joined(separator: "\n")
    }
}
