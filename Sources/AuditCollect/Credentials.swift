import AuditReportCore

/// The tokens and HMAC secrets requests are checked against, compared in constant time.
struct Credentials: Sendable {
    let tokens: [[UInt8]]
    let hmacSecrets: [[UInt8]]

    init(tokens: [String], hmacSecrets: [String]) {
        self.tokens = tokens.map { Array($0.utf8) }
        self.hmacSecrets = hmacSecrets.map { Array($0.utf8) }
    }

    /// The credential of an `Authorization` header of `scheme` (case-insensitive), nil for another scheme.
    static func token(_ header: String, scheme: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == scheme.lowercased() else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// Whether `token` is one of the tokens; every token is compared in full, whatever matches.
    func accepts(token: String) -> Bool {
        let given = Array(token.utf8)
        var matched = false
        for known in tokens where Self.constantTimeEqual(given, known) { matched = true }
        return matched
    }

    /// Whether `signature` (hex, optionally `sha256=`) is the HMAC-SHA256 of `body` under a secret.
    func accepts(signature: String, body: [UInt8]) -> Bool {
        var text = signature.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("sha256=") { text = String(text.dropFirst(7)) }
        guard let given = Self.hexBytes(text), given.count == 32 else { return false }
        var matched = false
        for secret in hmacSecrets where Self.constantTimeEqual(given, SHA256.hmac(key: secret, message: body)) { matched = true }
        return matched
    }

    /// Compares without stopping at the first difference (the time tells nothing of where it is).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var i = 0
        while i < digits.count {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }
}

import Foundation
