import CAuditCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// SHA-256 (FIPS 180-4), streaming, for the manifest's hashes of inputs and outputs, the
/// collect store's seals and HMAC signatures. The digest is OpenSSL's (libcrypto), which uses
/// the CPU's SHA extensions: hashing the inputs had been a tenth of a whole read.
public struct SHA256 {
    /// The digest context, in a box that frees it; a copy of the struct shares it.
    private final class Context {
        let pointer: OpaquePointer
        init() {
            pointer = EVP_MD_CTX_new()
            EVP_DigestInit_ex(pointer, EVP_sha256(), nil)
        }
        deinit { EVP_MD_CTX_free(pointer) }
    }
    private var context = Context()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context.pointer, base, bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest's 32 bytes. The hash is then spent: start a new one for more.
    public mutating func finishBytes() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context.pointer, &digest, &length)
        return digest
    }

    /// HMAC-SHA256 (RFC 2104) of `message` under `key`.
    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? { var h = SHA256(); h.update(key); return h.finishBytes() }() : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finishBytes()
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finishBytes()
    }

    /// The digest as 64 lower-case hex digits.
    public mutating func finish() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in finishBytes() {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The digest and size of a file (read as it is on disk, compressed or not).
    /// - Throws: `ReadError.cannotOpen` / `.ioError`.
    public static func file(_ path: String) throws -> (digest: String, size: Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError.cannotOpen(path: path, reason: ByteStream.errnoText()) }
        defer { close(fd) }
        var hash = SHA256()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var size: Int64 = 0
        while true {
            let n = read(fd, buffer, 1 << 20)
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError.ioError(path: path, reason: ByteStream.errnoText())
            }
            if n == 0 { break }
            hash.update(UnsafeRawBufferPointer(start: buffer, count: n))
            size += Int64(n)
        }
        return (hash.finish(), size)
    }
}

