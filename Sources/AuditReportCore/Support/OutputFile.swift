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
    /// Bytes not yet written, in memory of the file's own (as an array, each append checked
    /// uniqueness and capacity, and the events CSV makes twenty a row).
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: OutputFile.capacity)
    private var count = 0
    private var failure: OutputError?
    private static let flushAt = 1 << 17
    private static let capacity = flushAt + 4096

    /// Creates (or truncates) `path`, a temporary file of the run (see `TemporaryFiles`).
    /// - Parameter displayPath: the path messages name, when it is not `path`.
    public init(path: String, displayPath: String? = nil) throws {
        self.path = displayPath ?? path
        fd = TemporaryFiles.create(path)
        // (A throwing initializer of a class still runs deinit, which frees the buffer.)
        if fd < 0 { throw OutputError.cannotCreate(path: displayPath ?? path, reason: ByteStream.errnoText()) }
    }

    /// Opens an existing device, FIFO or socket for writing, without creating or truncating it.
    init(existing path: String, displayPath: String) throws {
        self.path = displayPath
        fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { throw OutputError.cannotCreate(path: displayPath, reason: ByteStream.errnoText()) }
    }

    /// Writes to a copy of an open descriptor (standard output).
    init(duplicating descriptor: Int32, displayPath: String) throws {
        self.path = displayPath
        fd = dup(descriptor)
        if fd < 0 { throw OutputError.cannotCreate(path: displayPath, reason: ByteStream.errnoText()) }
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        if count + n > Self.capacity {
            flush()
            // More than the buffer holds: straight to the file.
            if n > Self.capacity {
                send(source, n)
                return
            }
        }
        (buffer + count).initialize(from: source.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
        if count >= Self.flushAt { flush() }
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    public func write(byte: UInt8) {
        if count == Self.capacity { flush() }
        buffer[count] = byte
        count += 1
    }

    private func flush() {
        send(buffer, count)
        count = 0
    }

    /// Writes `total` bytes from `start` to the file, unless a write has failed before.
    private func send(_ start: UnsafeRawPointer, _ total: Int) {
        guard failure == nil, fd >= 0 else { return }
        if !Descriptor.writeAll(fd, start, total) {
            failure = .writeFailed(path: path, reason: ByteStream.errnoText())
        }
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
///
/// Only a regular file (or a path where nothing is yet) is replaced that way. A symbolic link is
/// followed: the file it points to is replaced and the link stays. A device, FIFO or socket
/// (`/dev/null`, a named pipe) is written through, never replaced; `-` is standard output.
public final class AtomicOutput {
    /// How the output reaches its path.
    public enum Mode: Equatable, Sendable {
        /// Written beside the target and renamed over it when complete.
        case atomic
        /// Written straight into an existing device, FIFO or socket.
        case writeThrough
        /// `-`: standard output.
        case standardOutput
    }

    /// The path as given (what messages name).
    public let finalPath: String
    /// Where the bytes end up: the path with its symbolic links followed.
    public let targetPath: String
    /// The file written before the rename (atomic mode only; empty otherwise).
    public let temporaryPath: String
    public let mode: Mode
    private var committed = false

    private static let lock = NSLock()
    nonisolated(unsafe) private static var serial = 0

    /// - Parameter protectedPaths: inputs of the run; writing over one of them is refused.
    /// - Throws: `OutputError` for a directory, a missing folder, or an input of the run.
    public init(path: String, protectedPaths: [String] = []) throws {
        finalPath = path
        if path == "-" {
            targetPath = path
            temporaryPath = ""
            mode = .standardOutput
            return
        }
        let target = try Self.followLinks(path)
        targetPath = target
        for input in protectedPaths {
            let inputURL = URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL
            if inputURL.path == URL(fileURLWithPath: target).standardizedFileURL.path || AtomicOutput.sameFile(input, target) {
                throw OutputError.wouldOverwriteInput(path: path)
            }
        }
        var info = stat()
        if stat(target, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: mode = .atomic
            case S_IFDIR: throw OutputError.cannotCreate(path: path, reason: "it is a directory")
            default: mode = .writeThrough
            }
        } else {
            mode = .atomic
        }
        guard mode == .atomic else {
            temporaryPath = ""
            return
        }
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError.cannotCreate(path: path, reason: "directory \(directory) does not exist")
        }
        Self.lock.lock()
        Self.serial += 1
        let serial = Self.serial
        Self.lock.unlock()
        // What a killed run left beside this output goes first.
        TemporaryFiles.removeStale(in: url.deletingLastPathComponent().path, prefix: ".\(url.lastPathComponent).tmp-")
        // Unique per output of the run: two outputs never share a temporary file.
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(serial)").path
        TemporaryFiles.register(temporaryPath)
    }

    deinit {
        if mode == .atomic {
            if !committed { unlink(temporaryPath) }
            TemporaryFiles.unregister(temporaryPath)
        }
    }

    /// Opens the output for writing; messages name the path as given.
    public func open() throws -> OutputFile {
        switch mode {
        case .atomic: return try OutputFile(path: temporaryPath, displayPath: finalPath)
        case .writeThrough: return try OutputFile(existing: targetPath, displayPath: finalPath)
        case .standardOutput: return try OutputFile(duplicating: 1, displayPath: "standard output")
        }
    }

    /// Moves finished outputs into place as one set: a file already at a target is kept aside
    /// until every rename succeeded, and put back if one fails, so the set is all new or all old.
    /// An interruption meanwhile waits until the set is in place.
    public static func commitAll(_ outputs: [AtomicOutput]) throws {
        try TemporaryFiles.commit {
            var backups: [(AtomicOutput, String?)] = []
            func undo() {
                for (output, backup) in backups.reversed() {
                    if let backup { rename(backup, output.targetPath) } else { unlink(output.targetPath) }
                }
            }
            for output in outputs {
                guard output.mode == .atomic else {
                    output.committed = true
                    continue
                }
                var backup: String?
                if access(output.targetPath, F_OK) == 0 {
                    let aside = output.temporaryPath + ".previous"
                    TemporaryFiles.register(aside)
                    if link(output.targetPath, aside) == 0 { backup = aside }
                }
                if rename(output.temporaryPath, output.targetPath) != 0 {
                    let reason = ByteStream.errnoText()
                    if let backup { unlink(backup) }
                    undo()
                    throw OutputError.writeFailed(path: output.finalPath, reason: reason + "; no output was changed")
                }
                output.committed = true
                backups.append((output, backup))
            }
            for case let (_, backup?) in backups {
                unlink(backup)
                TemporaryFiles.unregister(backup)
            }
        }
    }

    /// Moves the finished file into place (nothing to move for a device or standard output).
    public func commit() throws {
        guard mode == .atomic else {
            committed = true
            return
        }
        if rename(temporaryPath, targetPath) != 0 {
            let reason = ByteStream.errnoText()
            unlink(temporaryPath)
            throw OutputError.writeFailed(path: finalPath, reason: reason)
        }
        committed = true
    }

    /// Whether two outputs would end in the same file.
    public func collides(with other: AtomicOutput) -> Bool {
        guard mode != .standardOutput, other.mode != .standardOutput else { return false }
        return URL(fileURLWithPath: targetPath).standardizedFileURL.path == URL(fileURLWithPath: other.targetPath).standardizedFileURL.path
            || AtomicOutput.sameFile(targetPath, other.targetPath)
    }

    /// The path with every symbolic link along it followed, also a dangling one (the file it
    /// names is created); at most 40 links, as the kernel allows.
    static func followLinks(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n >= 0 else { throw OutputError.cannotCreate(path: path, reason: ByteStream.errnoText()) }
            let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(link).path
        }
        throw OutputError.cannotCreate(path: path, reason: "too many levels of symbolic links")
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat()
        var sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
