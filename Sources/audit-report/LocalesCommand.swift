import ArgumentParser
import AuditReportCore
import Foundation

struct LocalesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locales",
        abstract: "Check or export the event catalogue and its translations.",
        subcommands: [Check.self, Export.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report missing, extra and empty labels and strings per language; exit 1 when any shipped language is incomplete.",
            usage: "audit-report locales check [<options>]",
            discussion: "Example:\n  audit-report locales check\n  audit-report locales check --language-file fr.json")

        @Option(name: .long, help: ArgumentHelp("Folder holding Locales/ (default: found beside the program).", valueName: "dir"))
        var resources: String?

        @Option(name: .long, help: ArgumentHelp("A further language file to check (e.g. a draft translation).", valueName: "path"))
        var languageFile: [String] = []

        func run() throws {
            try runReportingErrors {
                let store = try LocaleStore.load(from: ResourceLocator.folder("Locales", flag: resources), extraPacks: languageFile.map { URL(fileURLWithPath: $0) })
                let checker = LocaleChecker(store: store)
                var incomplete: [String] = []
                for language in store.languages {
                    let problems = try checker.check(language)
                    let keys = store.catalog.shownEntries.filter { store.packs[language]?.events[$0.key] != nil }.count
                    Terminal.output("\(language): \(keys) of \(store.catalog.shownEntries.count) catalogue keys, \(store.packs[language]!.strings.count) strings, \(problems.isEmpty ? "complete" : "\(problems.count) problems")")
                    for problem in problems { Terminal.output("  \(problem)") }
                    if !problems.isEmpty { incomplete.append(language) }
                }
                if !incomplete.isEmpty {
                    Terminal.error("error: incomplete: \(incomplete.joined(separator: ", "))")
                    throw ExitCode(1)
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the catalogue as TSV: key, category, UI label, report label, description, official.",
            discussion: "Example:\n  audit-report locales export --language de > catalogue-de.tsv")

        @Option(name: .long, help: ArgumentHelp("Language to export.", valueName: "code"))
        var language = "en"

        @Option(name: .long, help: ArgumentHelp("Folder holding Locales/ (default: found beside the program).", valueName: "dir"))
        var resources: String?

        func run() throws {
            try runReportingErrors {
                let store = try LocaleStore.load(from: ResourceLocator.folder("Locales", flag: resources))
                let localizer = try Localizer(store: store, language: language, timeZone: TimeZone(identifier: "UTC")!)
                FileHandle.standardOutput.write(Data(LocaleChecker.exportTSV(localizer).utf8))
            }
        }
    }
}
