import Foundation
import Testing

@testable import AuditReportCore

@Suite struct SHA256Tests {
    func digest(_ bytes: [UInt8], chunk: Int) -> String {
        var h = SHA256()
        var i = 0
        while i < bytes.count {
            h.update(Array(bytes[i..<min(i + chunk, bytes.count)]))
            i += chunk
        }
        return h.finish()
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownDigestsInAnyChunking(_ text: String, _ expected: String) {
        for chunk in [1, 3, 63, 64, 65, 1000] { #expect(digest(Array(text.utf8), chunk: chunk) == expected) }
    }

    @Test func aMillionAsAndAFileMatchTheStandard() throws {
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        #expect(digest(million, chunk: 4096) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let path = TestSupport.file("m.txt", million)
        #expect(try SHA256.file(path) == ("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", 1_000_000))
    }
}
