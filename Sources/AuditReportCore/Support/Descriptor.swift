#if canImport(Glibc)
    import Glibc
#endif

/// Plain file descriptors.
enum Descriptor {
    /// Writes all `count` bytes from `bytes`, again after an interruption.
    /// - Returns: false with `errno` set when a write fails (ENOSPC for a write of nothing).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Bool {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, bytes + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            if n == 0 {
                errno = ENOSPC
                return false
            }
            done += n
        }
        return true
    }
}
