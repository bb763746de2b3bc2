/// Why a run wrote nothing although its inputs could be read.
public enum RunError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The period holds no event (the message names the period and what the inputs cover).
    case noEvents(String)

    public var description: String {
        switch self {
        case .noEvents(let message): return "error: " + message
        }
    }
}
