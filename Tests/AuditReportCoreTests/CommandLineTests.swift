import Foundation
import Testing

/// Runs the built `audit-report` program as a user would, for exit codes and messages.
@Suite struct CommandLineTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let program: URL = {
        // The test bundle is built beside the program.
        let dir = Bundle.main.executableURL!.resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [dir.appendingPathComponent("audit-report"), TestSupport.repositoryRoot.appendingPathComponent(".build/debug/audit-report")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }()

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = Self.program
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.currentDirectoryURL = TestSupport.temporaryDirectory()
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func reportOnTheBundledSampleSucceedsAndPrintsWhatItWrote() throws {
        let out = TestSupport.temporaryDirectory().path
        let examples = TestSupport.repositoryRoot.appendingPathComponent("Examples").path
        let r = try run(["report", "\(examples)/sample-2026-10-de.csv", "\(examples)/sample-2026-10-siem.jsonl", "--month", "2026-10", "--language", "de", "--time-zone", "Europe/Berlin", "--input-time-zone", "Europe/Berlin", "--output-dir", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == ["de.xlsx", "de.html", "de-events.csv", "de-findings.csv", "de-rules.csv", "de-pages.csv", "de-actors.csv", "de-summary.csv", "de-report.json", "de-manifest.json"].map { "\(out)/audit-report-2026-10-\($0)\n" }.joined())
        // The sample's 40,000-character title is cut in the workbook, with a warning naming its
        // line (and, as every terminal message, the field in English).
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.dropLast().allSatisfy { $0.contains("sample-2026-10-") && $0.hasSuffix("warning: 'Page' is longer than Excel's 32,767 characters; cut in the workbook (here and wherever the same text recurs)") })
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("2 inputs: 3999 events in 2026-10, ") == true)
    }

    /// Language codes are read case-insensitively; the summary line counts in singular and plural.
    @Test func languageCodesIgnoreCaseAndOneIsSingular() throws {
        let dir = TestSupport.temporaryDirectory()
        let input = TestSupport.file("one.csv", "Timestamp,User,Email,Event,Page\n\"Oct 5, 2026, 10:00:00 AM\",Anna,anna@x.de,Page viewed,Roadmap\n")
        let r = try run(["report", input, "--month", "2026-10", "--language", "DE", "--format", "csv", "--output-dir", dir.path, "--allow-partial"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("audit-report-2026-10-de-events.csv"))
        #expect(r.stderr.contains("1 input: 1 event in 2026-10, 0 duplicates dropped, 0 outside the month, 0 unmapped event types, "))
    }

    /// Help reads in an 80-column terminal: no line wider, examples one line each.
    @Test(arguments: [[], ["report"], ["convert"], ["collect"], ["verify"], ["sample"], ["locales", "check"], ["locales", "export"]])
    func helpFitsEightyColumns(_ command: [String]) throws {
        let r = try run(command + ["--help"], environment: ["COLUMNS": "80"])
        #expect(r.status == 0)
        let wide = r.stdout.split(separator: "\n").filter { $0.count > 80 }
        #expect(wide.isEmpty, "\(wide)")
        let examples = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  audit-report ") }
        #expect(!examples.isEmpty, "no example in the help of \(command)")
    }

    /// Accepted findings stay listed, marked, and leave the tickets; the reviewer reports them.
    @Test func exceptionsSuppressFindingsAndKeepThemOutOfTheTickets() throws {
        let dir = TestSupport.temporaryDirectory()
        let examples = TestSupport.repositoryRoot.appendingPathComponent("Examples").path
        let tickets = dir.appendingPathComponent("tickets.csv").path
        let r = try run(["report", "\(examples)/sample-2026-10.csv", "\(examples)/sample-2026-10-siem.jsonl", "--month", "2026-10", "--format", "csv",
            "--output-dir", dir.path, "--tickets", tickets, "--reviewer", "Eva Muster <eva@example.com>", "--exceptions", "\(examples)/exceptions.json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let findings = try String(contentsOfFile: dir.appendingPathComponent("audit-report-2026-10-en-findings.csv").path, encoding: .utf8)
        let rows = findings.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows[0].hasSuffix(",Suppressed"))
        let suppressed = rows.filter { $0.contains("suppressed until 2027-06-30: Monthly audit export for this report (runbook SEC-12) (approved by Jürgen Becker, CISO)") }
        #expect(suppressed.count == 2)
        let rules = try String(contentsOfFile: dir.appendingPathComponent("audit-report-2026-10-en-rules.csv").path, encoding: .utf8)
        #expect(rules.contains("ekm_key_changed,Encryption keys changed,Low,4,4,4,all findings suppressed"))
        let ticketRows = try String(contentsOfFile: tickets, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }.dropFirst()
        #expect(ticketRows.count == rows.count - 1 - 6)
        #expect(ticketRows.allSatisfy { $0.contains(",Open,eva@example.com,") })
        #expect(!ticketRows.contains { $0.hasPrefix("Audit log exported: anna.mueller.0@example.com") })
        // Without a reviewer or reporter the tickets would have none: refused.
        let refused = try run(["report", "\(examples)/sample-2026-10.csv", "--month", "2026-10", "--output-dir", dir.path, "--tickets", tickets])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--tickets needs --reporter EMAIL"))
    }

    @Test(arguments: [
        (["report", "x.csv", "--month", "2026-13"], "invalid month '2026-13'"),
        (["reprt", "x.csv"], "unknown subcommand 'reprt'. Did you mean 'report'? Subcommands: report, convert, collect, verify, sample, locales."),
        (["report", "x.csv", "--month", "2026-10", "--language", "fr"], "unknown language 'fr'; use one of de, en or the path of a language file (<code>.json)"),
        (["report", "x.csv", "--month", "2026-10", "--time-zone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["convert", "x.csv", "-o", "x.pdf"], "cannot tell the output format of 'x.pdf'"),
        (["report", "--month", "2026-10"], "name at least one input file, or --store DIR"),
        (["sample", "--month", "2026-10", "--events=-5", "--output-dir", "x"], "--events must be zero or more"),
    ])
    func usageErrorsExit64WithTheFix(_ arguments: [String], _ message: String) throws {
        let r = try run(arguments)
        #expect(r.status == 64)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func badInputExits1NamingFileAndLine() throws {
        let bad = TestSupport.file("bad.csv", "Date,Email,Event\n2026-10-01T00:00:00Z,a@x.de,\"Login\n")
        let out = TestSupport.temporaryDirectory().appendingPathComponent("o.csv").path
        let r = try run(["convert", bad, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr == "\(bad):2: error: unterminated quoted field (the quote opened on this line is never closed)\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func strictTurnsAWarningIntoExit1() throws {
        let input = TestSupport.file("short.csv", "Event,Date,User\nLogin,2026-10-01T00:00:00Z\n")
        let out = TestSupport.temporaryDirectory().appendingPathComponent("o.csv").path
        let lenient = try run(["convert", input, "-o", out])
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("\(input):2: warning: expected 3 fields as in the header, found 2; row skipped"))
        let strictOut = TestSupport.temporaryDirectory().appendingPathComponent("strict.csv").path
        let strict = try run(["convert", input, "-o", strictOut, "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("\(input):2: error: expected 3 fields as in the header, found 2; row skipped (--strict)"))
        #expect(!FileManager.default.fileExists(atPath: strictOut))
    }

    @Test func anOutputThatCannotBeWrittenIsAClearErrorWithNothingLeftBehind() throws {
        let input = TestSupport.repositoryRoot.appendingPathComponent("Examples/sample-2026-10.csv").path
        let dir = TestSupport.temporaryDirectory()
        // A file size limit of 100 KiB (ulimit -f counts 1024-byte blocks).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "ulimit -f 100; exec \"$0\" convert \"$1\" -o \"$2\"", Self.program.path, input, dir.appendingPathComponent("big.csv").path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(stderr.contains("big.csv: error: write failed: file too large"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
        // An output folder that is a file.
        let file = TestSupport.file("plain.txt", "x")
        let r = try run(["report", input, "--month", "2026-10", "--output-dir", file])
        #expect(r.status == 1)
        #expect(r.stderr.contains("plain.txt"), "\(r.stderr)")
    }

    @Test func anInterruptedRunExitsWith128PlusTheSignalAndLeavesNothing() throws {
        let dir = TestSupport.temporaryDirectory()
        // The sample export 60 times over (about 30 MB): still being read half a second in.
        let sample = try String(contentsOfFile: "\(TestSupport.repositoryRoot.path)/Examples/sample-2026-10.csv", encoding: .utf8)
        let header = sample.prefix { $0 != "\n" }
        let rows = sample.dropFirst(header.count + 1)
        let export = dir.appendingPathComponent("export.csv").path
        FileManager.default.createFile(atPath: export, contents: Data((header + "\n" + String(repeating: String(rows), count: 60)).utf8))
        let out = dir.appendingPathComponent("out")
        let process = Process()
        process.executableURL = Self.program
        process.arguments = ["report", export, "--month", "2026-10", "--output-dir", out.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        // Interrupt it while it reads.
        usleep(500_000)
        kill(process.processIdentifier, SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        #expect(stderr.contains("interrupted; no output was changed"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? [] == [])
    }

    @Test func missingResourcesAreAnErrorListingEveryPlaceTried() throws {
        let r = try run(["locales", "check", "--resources", "/nonexistent"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: cannot find the Locales folder; looked in:\n  /nonexistent/Locales\n"))
    }

    @Test func aGermanProcessLocaleDoesNotTurnDecimalPointsIntoCommas() throws {
        // Needs the de_DE.UTF-8 locale (make test generates it); without it the C library falls back to "C".
        #expect(try String(contentsOfFile: "/usr/lib/locale/locale-archive", encoding: .isoLatin1).contains("de_DE.utf8") || FileManager.default.fileExists(atPath: "/usr/lib/locale/de_DE.utf8"), "de_DE.UTF-8 is not installed")
        let input = TestSupport.file("export.csv", "Date,Event,Email\n2026-10-15T12:34:56.789Z,Login,a@x.de\n")
        let output = TestSupport.temporaryDirectory().appendingPathComponent("de.xlsx").path
        let r = try run(["convert", input, "-o", output, "--language", "de"], environment: ["LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"])
        #expect(r.status == 0, "\(r.stderr)")
        let book = try WorkbookReader(path: output)
        let time = try #require(try book.cell("Ereignisse", "A2"))
        #expect(time.value.contains("."))
        #expect(!time.value.contains(","))
        #expect(abs(Double(time.value)! - 46310.524268391204) < 1e-9)
    }

    @Test func localesCheckPassesForTheShippedLanguages() throws {
        let r = try run(["locales", "check", "--resources", TestSupport.repositoryRoot.path])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("de: 397 of 397 catalogue keys"))
        #expect(r.stdout.contains("en: 397 of 397 catalogue keys"))
        let incomplete = try run(["locales", "check", "--resources", TestSupport.repositoryRoot.path, "--language-file", TestSupport.fixtures.appendingPathComponent("locales/fr.json").path])
        #expect(incomplete.status == 1)
        #expect(incomplete.stderr.contains("incomplete: fr"))
    }
}
