import ArgumentParser
import AuditReportCore
import Foundation

/// Options every command that reads events shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Language of everything written: en, de, or the path of a language file (<code>.json).", valueName: "code"))
    var language = "en"

    @Option(name: .long, help: ArgumentHelp("IANA time zone the report shows times in, e.g. Europe/Berlin.", valueName: "zone"))
    var timeZone = "UTC"

    @Option(name: .long, help: ArgumentHelp("Zone of CSV times that name none (Notion does not document it). Default: worked out from a stream input that overlaps the export (UTC, --time-zone and the system's zone tried), else UTC.", valueName: "zone"))
    var inputTimeZone: String?

    @Option(name: .long, help: ArgumentHelp("Text encoding of the inputs: utf-8, utf-16 or windows-1252 (default: UTF-8, UTF-16 by its byte-order mark, Windows-1252 when a file is not UTF-8).", valueName: "encoding"))
    var inputEncoding: TextEncoding?

    @Option(name: .long, help: ArgumentHelp("CSV dialect: rfc4180 (comma, CRLF) or excel-de (semicolon, BOM, CRLF).", valueName: "dialect"))
    var csvDialect = CSVDialect.rfc4180

    @Option(name: .long, help: ArgumentHelp("Folder holding Locales/ and Templates/ (default: found beside the program).", valueName: "dir"))
    var resources: String?

    @Option(name: .long, help: ArgumentHelp("Folder for temporary sort files (default: $TMPDIR).", valueName: "dir"))
    var tempDir: String?

    @Flag(name: .long, help: "Treat every warning about the input as an error.")
    var strict = false

    @Flag(name: .shortAndLong, help: "Print no warnings or progress; errors only.")
    var quiet = false

    func validate() throws {
        if !language.hasSuffix(".json"), let locales = try? ResourceLocator.folder("Locales", flag: resources) {
            let shipped = ((try? FileManager.default.contentsOfDirectory(atPath: locales.path)) ?? [])
                .filter { $0.hasSuffix(".json") && $0 != "findings.json" }.map { String($0.dropLast(5)) }.sorted()
            if !shipped.contains(languageCode) {
                throw ValidationError("unknown language '\(language)'; use one of \(shipped.joined(separator: ", ")) or the path of a language file (<code>.json)")
            }
        }
        if TimeZone(identifier: timeZone) == nil {
            throw ValidationError("unknown time zone '\(timeZone)'; use an IANA name such as Europe/Berlin or UTC")
        }
        if let inputTimeZone, TimeZone(identifier: inputTimeZone) == nil {
            throw ValidationError("unknown input time zone '\(inputTimeZone)'; use an IANA name such as Europe/Berlin or UTC")
        }
    }

    /// `--language` as a code: case does not matter (`DE` is `de`).
    var languageCode: String { language.lowercased() }

    var zone: TimeZone { TimeZone(identifier: timeZone)! }
    /// The zone given with `--input-time-zone`, else UTC (the default the inference falls back to).
    var inputZone: TimeZone { inputTimeZone.flatMap { TimeZone(identifier: $0) } ?? TimeZone(identifier: "UTC")! }

    /// The zones to try for zone-less CSV times; nil when `--input-time-zone` forces one.
    var inputZoneCandidates: [TimeZone]? {
        inputTimeZone == nil ? [TimeZone(identifier: "UTC")!, zone, TimeZone.current] : nil
    }

    var temporaryDirectory: URL {
        if let tempDir { return URL(fileURLWithPath: tempDir) }
        return FileManager.default.temporaryDirectory
    }

    /// Loads the locale data and makes the localizer for `--language`.
    func localizer() throws -> Localizer {
        let locales = try ResourceLocator.folder("Locales", flag: resources)
        var extra: [URL] = []
        var code = languageCode
        if language.hasSuffix(".json") {
            let url = URL(fileURLWithPath: language)
            extra.append(url)
            code = try LanguagePack.load(from: url).language
        }
        let store = try LocaleStore.load(from: locales, extraPacks: extra)
        return try Localizer(store: store, language: code, timeZone: zone)
    }

    func diagnostics() -> DiagnosticsEngine {
        let quiet = self.quiet
        return DiagnosticsEngine(strict: strict) { diagnostic in
            if !quiet { Terminal.error(diagnostic.description) }
        }
    }
}

extension CSVDialect: ExpressibleByArgument {}
extension TextEncoding: ExpressibleByArgument {}
