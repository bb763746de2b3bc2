import Testing

@testable import AuditReportCore

@Suite struct TextIdentityCacheTests {
    @Test func theSameStringIsFoundAndAnotherTextNever() {
        var cache = TextIdentityCache<Int>(slots: 64)
        let long = String(repeating: "page-id-", count: 5)
        cache.remember(long, 1)
        #expect(cache.value(long) == 1)
        #expect(cache.value(long + "x") == nil)
        // Up to 15 bytes a text is its own representation: equal texts are found however made.
        cache.remember("web", 2)
        #expect(cache.value(String("we") + "b") == 2)
        #expect(cache.value("Web") == nil)
        // "web" may have taken long's slot (the slot follows long's storage address, so that
        // is chance): then long is missed, never given another text's value.
        #expect(cache.value(long) == 1 || cache.value(long) == nil)
        // A long text made anew has storage of its own: not found, which is allowed (a miss).
        let again = String(repeating: "page-id-", count: 5)
        #expect(cache.value(again) == nil || cache.value(again) == 1)
    }

    @Test func aPairIsFoundOnlyWithItsSecondText() {
        var cache = TextIdentityCache<String>(slots: 64)
        cache.remember("web", "platform", "Web")
        cache.remember("web", "role", "?")
        #expect(cache.value("web", "platform") == "Web")
        #expect(cache.value("web", "role") == "?")
        #expect(cache.value("web") == nil)
        #expect(cache.value("web", "actor_type") == nil)
    }

    /// Whatever collides and is replaced: a value found is always the one remembered for that
    /// very text.
    @Test func manyTextsInFewSlotsNeverGiveAnotherTextsValue() {
        var cache = TextIdentityCache<String>(slots: 16)
        var texts: [String] = []
        for i in 0..<2000 {
            let text = i % 3 == 0 ? "t\(i)" : "a-longer-text-than-fifteen-bytes-\(i)"
            texts.append(text)
            cache.remember(text, text)
            for j in stride(from: 0, to: texts.count, by: 37) {
                if let found = cache.value(texts[j]) { #expect(found == texts[j]) }
            }
        }
        #expect(cache.value(texts.last!) == texts.last!)
    }
}
