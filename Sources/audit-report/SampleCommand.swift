import ArgumentParser
import AuditReportCore
import Foundation

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a realistic synthetic month: a CSV export and an overlapping SIEM JSON-lines stream.",
        usage: "audit-report sample --month <YYYY-MM> --events <n> --output-dir <dir>",
        discussion: """
            Covers every catalogue key and audience, guests, bots, bursts, risky settings changes and \
            hostile values (formula-like and HTML titles, emoji, right-to-left text, a 40,000-character \
            title). The same seed gives the same files.

            Example:
              audit-report sample --month 2026-10 --events 5000 --output-dir in --seed 7
            """
    )

    @Option(name: .long, help: ArgumentHelp("The month, YYYY-MM.", valueName: "YYYY-MM"))
    var month: String

    @Option(name: .long, help: ArgumentHelp("About how many events (at least the few hundred scripted ones).", valueName: "n"))
    var events: Int

    @Option(name: .long, help: ArgumentHelp("Folder to write into.", valueName: "dir"))
    var outputDir: String

    @Option(name: .long, help: ArgumentHelp("Seed of the generator.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Language of the CSV export: en (US dates, UTC) or de (German dates, Europe/Berlin).", valueName: "code"))
    var csvLanguage = "en"

    @Flag(name: .long, help: "Each file in the order Notion gives it: the CSV export newest first, the SIEM stream oldest first (default: both hour by hour, as the bundled examples).")
    var newestFirst = false

    @Option(name: .long, help: ArgumentHelp("Folder holding Locales/ (default: found beside the program).", valueName: "dir"))
    var resources: String?

    func validate() throws {
        if events < 0 { throw ValidationError("--events must be zero or more") }
        if !["en", "de"].contains(csvLanguage) { throw ValidationError("--csv-language must be en or de") }
        do {
            _ = try ReportPeriod(parsing: month, zone: ZoneResolver(timeZone: TimeZone(identifier: "UTC")!))
        } catch let error as ReportPeriod.InvalidMonth {
            throw ValidationError(String(error.description.dropFirst("error: ".count)))
        }
    }

    func run() throws {
        try runReportingErrors {
            let store = try LocaleStore.load(from: ResourceLocator.folder("Locales", flag: resources))
            let period = try ReportPeriod(parsing: month, zone: ZoneResolver(timeZone: TimeZone(identifier: "UTC")!))
            var options = SampleGenerator.Options(year: period.year, month: period.month, events: events, seed: seed, csvLanguage: csvLanguage)
            options.asDelivered = newestFirst
            let generator = SampleGenerator(options: options, store: store)
            let result = try generator.write(to: URL(fileURLWithPath: outputDir))
            Terminal.output(result.csvPath)
            Terminal.output(result.siemPath)
        }
    }
}
