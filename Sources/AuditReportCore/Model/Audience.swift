/// Who can see a page, and so who may be notified of its events (Notion's four levels).
public enum Audience: UInt8, CaseIterable, Sendable, Comparable {
    case `private` = 1
    case sharedInternally = 2
    case sharedExternally = 3
    case sharedToWeb = 4

    /// The value Notion's SIEM stream uses, e.g. `shared_internally`; also the locale key.
    public var siemValue: String {
        switch self {
        case .private: return "private"
        case .sharedInternally: return "shared_internally"
        case .sharedExternally: return "shared_externally"
        case .sharedToWeb: return "shared_to_web"
        }
    }

    /// Wider audiences compare greater: private < internal < external < web.
    public static func < (lhs: Audience, rhs: Audience) -> Bool { lhs.rawValue < rhs.rawValue }
}
