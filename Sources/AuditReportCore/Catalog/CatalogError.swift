/// A problem with the locale and catalogue data under `Locales/`.
public enum CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(path: String)
    case invalidFile(path: String, line: Int, message: String)
    case unknownLanguage(String, available: [String])

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): error: no such file"
        case .invalidFile(let path, let line, let message):
            return line > 0 ? "\(path):\(line): error: \(message)" : "\(path): error: \(message)"
        case .unknownLanguage(let language, let available):
            return "error: no locale file for language '\(language)'; available: \(available.joined(separator: ", "))"
        }
    }
}
