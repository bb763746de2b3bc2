import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a small data file (a language, rules or exceptions file, a table under `Locales/`):
/// only a regular file, and only up to a size, so a directory, a FIFO or `/dev/zero` named by
/// mistake is a clear message instead of a hang or a misleading "missing".
enum DataFile {
    static let sizeLimit = 32 << 20

    /// - Throws: `CatalogError.missingFile` when nothing is at `url`, `invalidFile` for anything
    ///   that is not a readable regular file within the size limit.
    static func read(_ url: URL) throws -> Data {
        let path = url.path
        let size = try checkRegularFile(url)
        guard size <= sizeLimit else {
            throw CatalogError.invalidFile(path: path, line: 0, message: "is \(size) bytes; a data file may have at most \(sizeLimit) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError.invalidFile(path: path, line: 0, message: "cannot be read: \(ByteStream.errnoText())")
        }
        return data
    }

    /// - Returns: the size of the regular file at `url`.
    /// - Throws: `CatalogError.missingFile` when nothing is there, `invalidFile` for a directory,
    ///   a device, a FIFO or a socket.
    @discardableResult
    static func checkRegularFile(_ url: URL) throws -> Int64 {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw CatalogError.missingFile(path: path) }
            throw CatalogError.invalidFile(path: path, line: 0, message: "cannot be read: \(ByteStream.errnoText())")
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw CatalogError.invalidFile(path: path, line: 0, message: "is a directory, not a file") }
        guard type == S_IFREG else { throw CatalogError.invalidFile(path: path, line: 0, message: "is not a regular file (a device, FIFO or socket)") }
        return Int64(info.st_size)
    }
}
