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
    nonisolated(unsafe) private static var directories = Set<String>()
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
        let folders = directories
        paths.removeAll()
        directories.removeAll()
        lock.unlock()
        for path in all { unlink(path) }
        for folder in folders { removeTree(folder) }
        return committed
    }

    /// Creates a private folder `parent/prefix<pid>-XXXXXX` for files a library names itself
    /// (libxlsxwriter's sheet files): an interruption removes the folder with whatever is in it.
    /// - Returns: its path, or nil when it cannot be created (or the run is being interrupted).
    public static func makeDirectory(in parent: String, prefix: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if closed { return nil }
        var template = Array("\(parent)/\(prefix)\(getpid())-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return nil }
        let path = String(cString: made)
        directories.insert(path)
        return path
    }

    /// Removes a folder made by `makeDirectory` with its contents.
    public static func removeDirectory(_ path: String) {
        lock.lock()
        directories.remove(path)
        lock.unlock()
        removeTree(path)
    }

    /// Removes a folder of files (one level deep, as the folders made here are).
    private static func removeTree(_ path: String) {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { unlink(path + "/" + name) }
        }
        rmdir(path)
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
            guard kill(pid, 0) == -1 && errno == ESRCH else { continue }
            let path = directory + "/" + name
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                removeTree(path)
                if access(path, F_OK) != 0 { removed += 1 }
            } else if unlink(path) == 0 {
                removed += 1
            }
        }
        return removed
    }
}
