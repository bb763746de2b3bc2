import Mustache

/// Escapes text for HTML element content and quoted attribute values, one Unicode scalar at a
/// time. Mustache's own HTML escaping goes by Character, and a quote followed by a combining mark
/// (`"` + U+0301) is one Character it does not recognise, so a value could leave its attribute.
/// The template selects this with `{{% CONTENT_TYPE: AUDIT_HTML}}`.
struct HTMLEscaping: MustacheContentType {
    static let name = "AUDIT_HTML"

    func escapeText(_ text: String) -> String {
        Self.escape(text)
    }

    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default:
                // Control characters (but tab and line breaks) have no place in a report.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" || (0x7F...0x9F).contains(scalar.value) {
                    out.append("\u{FFFD}")
                } else {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }

    /// Registers the content type with Mustache (once; registering again is harmless).
    static func register() {
        MustacheContentTypes.register(HTMLEscaping(), named: name)
    }
}
