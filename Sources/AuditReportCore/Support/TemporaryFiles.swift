import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The temporary files of a run (unfinished outputs, sort runs), so an interrupted run can
/// remove them before it exits, and a run can remove those a killed run left behind.
///
/// Files are created through `create(_:)`, under the same lock that `removeAll()` takes, so once
/// an interrupted run has removed its files, no thread can create another. Moving outputs into
/// place runs under `commit(_:)`: an interruption then waits until the set is in place.
public enum TemporaryFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths = Set<String>()
    nonisolated(unsafe) private static var closed = false
    private static let commitLock = NSLock()
    nonisolated(unsafe) private static var committed = false

    static func register(_ path: String) {
        lock.lock()
        paths.insert(path)
        lock.unlock()
    }

    static func unregister(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }

    /// Creates (or truncates) a registered temporary file for writing.
    /// - Returns: the descriptor, or -1 with `errno` set (EINTR once the run is being interrupted).
    static func create(_ path: String) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if closed {
            errno = EINTR
            return -1
        }
        paths.insert(path)
        return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    }

    /// Moves a run's outputs into place; an interruption meanwhile waits until it is done.
    static func commit(_ body: () throws -> Void) rethrows {
        commitLock.lock()
        defer { commitLock.unlock() }
        try body()
        committed = true
    }

    /// Removes every registered file (called when the run is interrupted); no temporary file can
    /// be created after it. Waits for outputs being moved into place.
    /// - Returns: whether outputs had been moved into place (so the report set is new).
    @discardableResult
    public static func removeAll() -> Bool {
        commitLock.lock()
        lock.lock()
        closed = true
        let all = paths
        paths.removeAll()
        lock.unlock()
        for path in all { unlink(path) }
        return committed
    }

    /// Removes files in `directory` named `prefix` + a process id + `-…` whose process has ended:
    /// what a run killed with SIGKILL (which cannot clean up) left behind.
    /// - Returns: how many were removed.
    @discardableResult
    public static func removeStale(in directory: String, prefix: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits), pid > 0, pid != getpid(), name.dropFirst(prefix.count + digits.count).hasPrefix("-") else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH, unlink(directory + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }
}
