import Foundation

/// Decodes a JSON file a person writes (finding rules, accepted findings, a language): the
/// decoder's errors become a `CatalogError` naming the file and the member that is wrong. Also
/// reads the tool's own JSON (a twin, a manifest) as a value.
enum JSONSettingsFile {
    /// - Parameter expected: what the file should hold, for the message when it is no JSON at all.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String, expected: String) throws -> T {
        func invalid(_ message: String) -> CatalogError { .invalidFile(path: path, line: 0, message: message) }
        func member(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map(\.stringValue).joined(separator: ".")
            return p.isEmpty ? "the top level" : p
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw invalid("wrong value at \(member(context)): \(context.debugDescription)")
        } catch DecodingError.dataCorrupted {
            // Foundation refuses a number it cannot fit as "not valid JSON": name the member instead.
            if let number = unfittingNumber(in: data) { throw invalid(number) }
            throw invalid("not valid JSON (\(expected))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw invalid("missing '\(key.stringValue)' at \(member(context))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw invalid("wrong value at \(member(context)): \(context.debugDescription)")
        } catch {
            throw invalid("not valid JSON (\(expected))")
        }
    }

    /// The JSON of a file the tool wrote (a report twin, a manifest), as a value to look into.
    /// - Throws: `CatalogError` naming the file when it is no JSON.
    static func value(of url: URL) throws -> JSONValue {
        let data = try DataFile.read(url)
        do {
            return try JSONParser.parse(String(decoding: data, as: UTF8.self), path: url.path, line: 1)
        } catch {
            throw CatalogError.invalidFile(path: url.path, line: 0, message: "not valid JSON: \(error)")
        }
    }

    /// The first number that is valid JSON but no whole number (`1e30`, `2.5`), as a message
    /// naming where it is; nil when there is none.
    static func unfittingNumber(in data: Data) -> String? {
        guard let value = try? JSONParser.parse(String(decoding: data, as: UTF8.self), path: "", line: 0) else { return nil }
        func search(_ value: JSONValue, _ path: String) -> String? {
            switch value {
            case .number(let text) where Int(text) == nil:
                return "\(path) must be a whole number, not \(text.prefix(40))"
            case .object(let object):
                for member in object.members {
                    if let found = search(member.value, path.isEmpty ? member.key : "\(path).\(member.key)") { return found }
                }
            case .array(let items):
                for (i, item) in items.enumerated() {
                    if let found = search(item, "\(path)[\(i)]") { return found }
                }
            default: break
            }
            return nil
        }
        return search(value, "")
    }
}
