import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A problem writing an output.
public enum OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case wouldOverwriteInput(path: String)
    case renderFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): return "\(path): error: cannot create output: \(reason)"
        case .writeFailed(let path, let reason): return "\(path): error: write failed: \(reason)"
        case .wouldOverwriteInput(let path): return "\(path): error: refusing to overwrite an input of this run; choose another output path"
        case .renderFailed(let path, let reason): return "\(path): error: \(reason)"
        }
    }
}

/// A buffered file writer over write(2) that remembers the first error, so callers write freely
/// and check once at `close()`.
public final class OutputFile {
    /// The path named in messages (the final path of an atomic output).
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var failure: OutputError?
    private let flushAt = 1 << 17

    /// Creates (or truncates) `path`.
    /// - Parameter displayPath: the path messages name, when it is not `path`.
    public init(path: String, displayPath: String? = nil) throws {
        self.path = displayPath ?? path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw OutputError.cannotCreate(path: displayPath ?? path, reason: ByteStream.errnoText()) }
        buffer.reserveCapacity(flushAt + 4096)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushAt { flush() }
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= flushAt { flush() }
    }

    public func write(byte: UInt8) {
        buffer.append(byte)
    }

    private func flush() {
        guard failure == nil, fd >= 0 else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        var done = 0
        let total = buffer.count
        buffer.withUnsafeBytes { raw in
            while done < total {
                let n = Glibc.write(fd, raw.baseAddress! + done, total - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .writeFailed(path: path, reason: ByteStream.errnoText())
                    return
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    /// - Throws: the first write error (e.g. no space left on device).
    public func close() throws {
        flush()
        if fd >= 0 {
            if Glibc.close(fd) != 0 && failure == nil {
                failure = .writeFailed(path: path, reason: ByteStream.errnoText())
            }
            fd = -1
        }
        if let failure { throw failure }
    }
}

/// Writes an output beside its final path and moves it there only when complete, so a failed
/// or killed run leaves the previous file untouched and no partial file behind.
public final class AtomicOutput {
    public let finalPath: String
    public let temporaryPath: String
    private var committed = false

    /// - Parameter protectedPaths: inputs of the run; writing over one of them is refused.
    public init(path: String, protectedPaths: [String] = []) throws {
        finalPath = path
        let url = URL(fileURLWithPath: path)
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL.path
        for input in protectedPaths {
            let inputURL = URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL
            if inputURL.path == resolved || AtomicOutput.sameFile(input, path) {
                throw OutputError.wouldOverwriteInput(path: path)
            }
        }
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError.cannotCreate(path: path, reason: "directory \(directory) does not exist")
        }
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)").path
        TemporaryFiles.register(temporaryPath)
    }

    deinit {
        if !committed { unlink(temporaryPath) }
        TemporaryFiles.unregister(temporaryPath)
    }

    /// Opens the temporary file for writing; messages name the final path.
    public func open() throws -> OutputFile {
        try OutputFile(path: temporaryPath, displayPath: finalPath)
    }

    /// Moves the finished file into place.
    public func commit() throws {
        if rename(temporaryPath, finalPath) != 0 {
            let reason = ByteStream.errnoText()
            unlink(temporaryPath)
            throw OutputError.writeFailed(path: finalPath, reason: reason)
        }
        committed = true
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat()
        var sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
