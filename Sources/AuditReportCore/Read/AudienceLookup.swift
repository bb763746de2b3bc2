/// A reader's audience cells to levels, each distinct text folded and looked up once. The cells
/// of a month hold a handful of spellings (`shared_internally`, `Intern geteilt`, …), and folding
/// each cell anew had cost a reader a few thousand instructions an event. A reader's texts recur
/// as the same String (short ones inline, longer ones shared by its `StringInterner`), so they are
/// found by identity (`TextIdentityCache`). One per reader: it is not thread-safe.
final class AudienceLookup {
    private let store: LocaleStore
    /// Per text, the level's raw value, or 0 where the text names none.
    private var known = TextIdentityCache<UInt8>(slots: 64)

    init(store: LocaleStore) {
        self.store = store
    }

    /// The level `text` names, as `LocaleStore.audience(_:)` finds it.
    func callAsFunction(_ text: String) -> Audience? {
        if let raw = known.value(text) { return Audience(rawValue: raw) }
        let level = store.audience(text)
        known.remember(text, level?.rawValue ?? 0)
        return level
    }
}
