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
        needsEscaping(text) ? escapeEach(text) : text
    }

    /// `escape`, scalar by scalar.
    static func escapeEach(_ text: String) -> String {
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

    /// Whether `escape` changes the text: it holds a markup character, a control character
    /// other than tab and line breaks, DEL or a C1 control (UTF-8 `C2 80`…`C2 9F`).
    static func needsEscaping(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for b in text.utf8 {
            switch b {
            case 0x3C, 0x3E, 0x26, 0x22, 0x27, 0x7F: return true
            case 0x09, 0x0A, 0x0D: break
            case ..<0x20: return true
            case 0x80...0x9F where previous == 0xC2: return true
            default: break
            }
            previous = b
        }
        return false
    }

    /// Registers the content type with Mustache (once; registering again is harmless).
    static func register() {
        MustacheContentTypes.register(HTMLEscaping(), named: name)
    }
}
