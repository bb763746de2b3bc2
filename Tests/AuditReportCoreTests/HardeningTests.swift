import Foundation
import Testing

@testable import AuditReportCore

/// Regression tests of the hostile-input and fault run: outputs never replace what is not a
/// regular file, numbers from files and the environment never trap, values never leave their
/// place in the HTML.
@Suite struct HardeningTests {
    let cli = CommandLineTests()
    var examples: String { TestSupport.repositoryRoot.appendingPathComponent("Examples").path }

    func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func aDeviceIsWrittenThroughNeverReplaced() throws {
        let out = TestSupport.temporaryDirectory().path
        let r = try cli.run(["report", "\(examples)/sample-2026-10.csv", "--month", "2026-10", "--format", "csv", "--output-dir", out, "--tickets", "/dev/null", "--reporter", "sec@example.com", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(fileType("/dev/null") == S_IFCHR)
        #expect(!r.stdout.contains("/dev/null\n/dev/null"))
    }

    @Test func aSymbolicLinkIsFollowedAndStaysALink() throws {
        let dir = TestSupport.temporaryDirectory()
        let target = dir.appendingPathComponent("real.csv").path
        let link = dir.appendingPathComponent("link.csv").path
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let r = try cli.run(["convert", "\(examples)/sample-2026-10.csv", "-o", link, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(fileType(link) == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("Time (UTC),Event,"))
        // A link to a device that cannot take the data: an error naming the path, the link kept.
        let full = dir.appendingPathComponent("full.csv").path
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: "/dev/full")
        let f = try cli.run(["convert", "\(examples)/sample-2026-10.csv", "-o", full, "--quiet"])
        #expect(f.status == 1)
        #expect(f.stderr == "\(full): error: write failed: no space left on device\n")
        #expect(fileType(full) == S_IFLNK)
        #expect(fileType("/dev/full") == S_IFCHR)
    }

    @Test func twoOutputsOfOneRunNeverShareAPath() throws {
        let out = TestSupport.temporaryDirectory().path
        let events = "\(out)/audit-report-2026-10-en-events.csv"
        let r = try cli.run(["report", "\(examples)/sample-2026-10.csv", "--month", "2026-10", "--format", "csv", "--output-dir", out, "--tickets", events, "--reporter", "sec@example.com", "--quiet"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("another output of this run, is written there"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [])
    }

    @Test func ticketsGoToStandardOutputWithADash() throws {
        let out = TestSupport.temporaryDirectory().path
        let r = try cli.run(["report", "\(examples)/sample-2026-10.csv", "--month", "2026-10", "--format", "csv", "--output-dir", out, "--tickets", "-", "--reporter", "sec@example.com", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Title,Status,Reporter,Priority,Created time,Last edited time\r\n"))
        #expect(!r.stdout.contains("\n-\n"))
    }

    @Test func aRunThatFailsBeforeWritingLeavesNoNewFolder() throws {
        let out = TestSupport.temporaryDirectory().appendingPathComponent("new/folder").path
        let r = try cli.run(["report", "/nonexistent/export.csv", "--month", "2026-10", "--output-dir", out])
        #expect(r.status == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        let file = TestSupport.file("plain", "x")
        let under = try cli.run(["report", "\(examples)/sample-2026-10.csv", "--month", "2026-10", "--output-dir", "\(file)/sub"])
        #expect(under.status == 1)
        #expect(under.stderr == "\(file)/sub: error: cannot create output: \(file) is a file, not a folder\n")
    }

    @Test(arguments: [
        (#"{"rules":[{"id":"x","kind":"burst","severity":"high","threshold":2,"windowMinutes":1e30,"match":[{"keys":["page.exported"]}]}]}"#, "rules[0].windowMinutes must be a whole number, not 1e30"),
        (#"{"rules":[{"id":"x","kind":"burst","severity":"high","threshold":2,"windowMinutes":9223372036854775807,"match":[{"keys":["page.exported"]}]}]}"#, "rule 'x' (burst) windowMinutes must be from 1 to 527040, not 9223372036854775807"),
        (#"{"rules":[{"id":"x","kind":"new_location","severity":"high","lookbackDays":99999999999,"match":[{"keys":["user.login"]}]}]}"#, "lookbackDays must be from 1 to 3660"),
        (#"{"rules":[{"id":"x","kind":"net_burst","severity":"high","threshold":2,"windowMinutes":5,"undoMinutes":-1,"undoKeys":["a.b"],"match":[{"keys":["page.deleted"]}]}]}"#, "undoMinutes must be from 0 to 527040, not -1"),
        (#"{"rules":[{"id":"../x","kind":"any","severity":"high","match":[{"keys":["user.login"]}]}]}"#, "id must be 1 to 100 letters"),
    ])
    func numbersAndNamesInARulesFileAreBounded(_ json: String, _ message: String) throws {
        let path = TestSupport.file("rules.json", json)
        #expect {
            try FindingRules.load(from: URL(fileURLWithPath: path))
        } throws: { error in
            "\(error)".hasPrefix("\(path): error: ") && "\(error)".contains(message)
        }
    }

    @Test(arguments: ["/dev/zero", "/tmp", "/nonexistent/rules.json"])
    func aRulesPathThatIsNoFileSaysWhatItIs(_ path: String) throws {
        let expected = ["/dev/zero": "is not a regular file", "/tmp": "is a directory", "/nonexistent/rules.json": "no such file"][path]!
        #expect {
            try FindingRules.load(from: URL(fileURLWithPath: path))
        } throws: { error in
            "\(error)" == "\(path): error: \(expected)" || "\(error)".hasPrefix("\(path): error: \(expected)")
        }
    }

    @Test(arguments: [
        ("\"monthNames\": [", "\"monthNames\": [\"\", ", "'format.monthNames' must hold 12 names, none empty"),
        ("\"Sunday\"", "\"Sunday\", \"Extra\"", "'format.weekdayNames' must hold 7 names"),
        ("\"language\": \"en\"", "\"language\": \"../x\"", "'language' must be a language code"),
        ("\"language\": \"en\"", "\"language\": \"en\\\" onload=\\\"x\"", "'language' must be a language code"),
    ])
    func aLanguageFileThatCannotServeIsRefusedNamingTheMember(_ find: String, _ replace: String, _ message: String) throws {
        var text = try String(contentsOf: TestSupport.localesURL.appendingPathComponent("en.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: find, with: replace)
        if find.hasPrefix("\"monthNames\"") { text = text.replacingOccurrences(of: "\"December\"\n", with: "\n") }
        let path = TestSupport.file("xx.json", text)
        #expect {
            try LanguagePack.load(from: URL(fileURLWithPath: path))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aSourceDateEpochBeyondYear9999IsAUsageError() throws {
        let r = try cli.run(["convert", "\(examples)/sample-2026-10.csv", "-o", TestSupport.temporaryDirectory().appendingPathComponent("x.csv").path], environment: ["SOURCE_DATE_EPOCH": "99999999999999999"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("SOURCE_DATE_EPOCH must be whole seconds since 1970 up to 253402300799"))
    }

    /// A quote followed by a combining mark is one Character: escaping by Character would let it
    /// end an attribute. Every value that reaches the HTML gets such a quote.
    @Test func valuesWithAQuoteAndACombiningMarkStayInTheirPlace() throws {
        let evil = "x\"\u{301} onfocus=alert(1) autofocus style=position:fixed \"\u{301}>\u{301}<b>"
        let csvEvil = evil.replacingOccurrences(of: "\"", with: "\"\"")
        let csv = TestSupport.file("export.csv", """
            Date,User,Email,Event,Page,Page ID,City,Country,Role
            2026-10-05T08:00:00Z,"\(csvEvil)","\(csvEvil)@x.de","\(csvEvil)","\(csvEvil)","\(csvEvil)","\(csvEvil)","\(csvEvil)","\(csvEvil)"

            """)
        let out = TestSupport.temporaryDirectory()
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.utc))
        let job = ReportJob(
            options: .init(inputs: [csv], period: period, outputDirectory: out, formats: [.html], templatesDirectory: TestSupport.repositoryRoot.appendingPathComponent("Templates"), rules: FindingsTests.rules),
            localizer: l, diagnostics: DiagnosticsEngine())
        let result = try job.run()
        let html = try String(contentsOfFile: result.written[0], encoding: .utf8)
        #expect(!html.unicodeScalars.map { $0 }.enumerated().contains { i, s in s == "\"" && i + 1 < html.unicodeScalars.count && Array(html.unicodeScalars)[i + 1] == "\u{301}" })
        #expect(!html.contains("<b>"))
        #expect(html.contains("&quot;\u{301}"))
        #expect(HTMLEscaping.escape("\"\u{301}'<>&") == "&quot;\u{301}&#39;&lt;&gt;&amp;")
    }

    /// A text is escaped scalar by scalar only when that changes it: markup, controls, DEL and
    /// the C1 controls (whose UTF-8 starts with C2, as the harmless U+00A0 does).
    @Test func htmlTextsAreEscapedExactlyWhenEscapingChangesThem() {
        let specials = ["<", ">", "&", "\"", "'", "\u{0}", "\u{1F}", "\t", "\n", "\r", "\u{7F}", "\u{80}", "\u{85}", "\u{9F}", "\u{A0}", "\u{C2}", "Ä", "€", "🚀", "x"]
        for special in specials {
            for text in [special, "ab" + special, special + "cd", "ab" + special + "cd", "\u{C2}" + special] {
                #expect(HTMLEscaping.needsEscaping(text) == (HTMLEscaping.escapeEach(text) != text), "\(text.unicodeScalars.map { $0.value })")
                #expect(HTMLEscaping.escape(text) == HTMLEscaping.escapeEach(text))
            }
        }
    }

    // MARK: what Excel and tools write

    @Test func excelsUnicodeTextInUTF16IsRead() throws {
        let text = "Date\tEmail\tEvent\tPage\n2026-10-05T10:00:00Z\tj@x.de\tSeite angesehen\tÜbersicht 😀\n"
        for data in [text.data(using: .utf16LittleEndian)!, text.data(using: .utf16BigEndian)!] {
            let bom: [UInt8] = data == text.data(using: .utf16LittleEndian)! ? [0xFF, 0xFE] : [0xFE, 0xFF]
            let r = try TestSupport.read(path: TestSupport.file("unicode.txt", bom + Array(data)))
            #expect(r.events.map(\.target.name) == ["Übersicht 😀"])
            #expect(r.events.map(\.key) == ["page.viewed"])
            #expect(r.diagnostics.map(\.message) == ["read as UTF-16 (it starts with a UTF-16 byte-order mark); --input-encoding sets the encoding"])
        }
    }

    @Test func germanExcelsWindows1252IsReadAsSuch() throws {
        let bytes: [UInt8] = Array("Datum;E-Mail;Ereignis;Seite\n2026-10-05T10:00:00Z;j@x.de;Seite angesehen;".utf8) + [0xDC] + Array("bersicht f".utf8) + [0xFC, 0x72, 0x20, 0x80] + [0x0A]
        let r = try TestSupport.read(path: TestSupport.file("excel.csv", bytes))
        #expect(r.events.map(\.target.name) == ["Übersicht für €"])
        #expect(r.diagnostics.map(\.message) == ["read as Windows-1252 (it is not UTF-8; German Excel saves CSV so); --input-encoding sets the encoding"])
        // Forced, the same bytes are UTF-8 and repaired with a warning.
        let forced = try TestSupport.read(path: TestSupport.file("excel.csv", bytes), encoding: .utf8)
        #expect(forced.events.map(\.target.name) == ["\u{FFFD}bersicht f\u{FFFD}r \u{FFFD}"])
    }

    @Test func prettyPrintedDocumentsAfterAOneLineOneAreAllRead() throws {
        let text = """
            {"id":"a","timestamp":"2026-10-05T10:00:00Z","type":"user.login"}
            {
              "id": "b",
              "timestamp": "2026-10-05T10:01:00Z",
              "type": "user.login"
            }
            {
              "id": "c",
              "timestamp": "2026-10-05T10:02:00Z",
              "type": "user.login"
            }

            """
        let r = try TestSupport.read("jq.json", text)
        #expect(r.events.map(\.id) == ["a", "b", "c"])
        #expect(r.diagnostics == [])
        // JSON lines with a broken record stay JSON lines: the record is skipped, not the rest.
        let lines = TestSupport.file("l.jsonl", "{\"id\":\"a\",\"timestamp\":\"2026-10-05T10:00:00Z\",\"type\":\"user.login\"}\n{\"id\":\"b\",\n{\"id\":\"c\",\"timestamp\":\"2026-10-05T10:00:00Z\",\"type\":\"user.login\"}\n")
        #expect(try TestSupport.read(path: lines).events.map(\.id) == ["a", "c"])
    }

    @Test func zerosAfterTheLastGzipMemberArePassedOverWithANote() throws {
        let bytes = TestSupport.gzip("Date,Email,Event\n2026-10-05T10:00:00Z,a@x.de,Login\n") + [UInt8](repeating: 0, count: 512)
        let r = try TestSupport.read(path: TestSupport.file("padded.csv.gz", bytes))
        #expect(r.events.count == 1)
        #expect(r.diagnostics.map(\.message) == ["512 zero bytes after the compressed data passed over"])
    }

    @Test func aLoneSurrogateIsReplacedWithAWarningAndDuplicateKeysTakeTheLast() throws {
        let r = try TestSupport.read("s.jsonl", #"{"id":"a","timestamp":"2026-10-05T10:00:00Z","type":"page.viewed","type":"page.exported","details":{"page_name":"x\ud800y"}}"# + "\n")
        #expect(r.events.map(\.key) == ["page.exported"])
        #expect(r.events.map(\.target.name) == ["x\u{FFFD}y"])
        #expect(r.diagnostics.map(\.message) == ["invalid UTF-8 or a lone surrogate escape in a string, replaced with U+FFFD"])
    }

    @Test func aRepeatedHeaderRowIsPassedOverAndDuplicateColumnsAreKept() throws {
        let r = try TestSupport.read("joined.csv", "Date,Email,Action,event,Note,Note\n2026-10-05T10:00:00Z,a@x.de,Login,raw,n1,n2\nDate,Email,Action,event,Note,Note\n2026-10-05T11:00:00Z,a@x.de,Logout,raw,n3,n4\n")
        #expect(r.events.map(\.key) == ["user.login", "user.logout"])
        #expect(r.events[0].extras == [Field("event", "raw"), Field("Note", "n1"), Field("Note (2)", "n2")])
        #expect(r.diagnostics.map(\.message) == ["the header row again; passed over"])
    }

    @Test func cellsASpreadsheetWouldRunAreNeutralizedAndNULIsNotWritten() {
        #expect(CSVWriter.neutralize(" =1+1") == "' =1+1")
        #expect(CSVWriter.neutralize("\u{FF1D}SUM(A1)") == "'\u{FF1D}SUM(A1)")
        #expect(CSVWriter.neutralize(" -5") == " -5")
        #expect(CSVWriter.neutralize("a\u{0}b") == "a\u{FFFD}b")
        for value in [" =1+1", "\u{FF1D}SUM(A1)", "=x", "plain", "'quoted"] {
            #expect(CSVWriter.unneutralize(CSVWriter.neutralize(value)) == value)
        }
    }

    @Test func placeholdersInValuesAreNotFilledAgain() throws {
        let l = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        #expect(l.string("quality.csv_zone_forced", ["files": "{zone}.csv", "zone": "UTC"]) == "Times in {zone}.csv name no zone: read as UTC, as --input-time-zone says.")
    }

    @Test func inputCannotActOnTheTerminal() throws {
        let evil = "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}]52;c;ZXZpbA==\u{07}\r0 warnings\u{202E}"
        let csv = TestSupport.file("t.csv", "Date,Email,Event\n2026-10-05T10:00:00Z,a@x.de,\"\(evil)\"\n")
        let r = try cli.run(["convert", csv, "-o", TestSupport.temporaryDirectory().appendingPathComponent("o.csv").path])
        #expect(r.status == 0)
        #expect(!r.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0 == "\r" || $0.value == 0x202E })
        #expect(r.stderr.contains("\\u{1B}]0;pwned\\u{7}"))
    }

    @Test func aMonthBeforeTheYear2000SaysWhatIsWrong() throws {
        let r = try cli.run(["report", "\(examples)/sample-2026-10.csv", "--month", "1999-12"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("the year must be from 2000 to 9999"))
    }

    // MARK: what a killed run leaves

    /// A process id no process has (so its files are stale).
    func deadPID() -> Int32 {
        var pid: Int32 = 4_000_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid -= 1 }
        return pid
    }

    @Test func sortRunsAndOutputTemporariesOfAKilledRunAreRemoved() throws {
        let dir = TestSupport.temporaryDirectory()
        let dead = deadPID()
        let staleRun = dir.appendingPathComponent("audit-report-run-\(dead)-ABC.bin").path
        let liveRun = dir.appendingPathComponent("audit-report-run-1-ABC.bin").path
        let staleOutput = dir.appendingPathComponent(".events.csv.tmp-\(dead)-3").path
        for path in [staleRun, liveRun, staleOutput] { FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) }
        // A spool that spills its first run clears the runs of dead processes.
        let spool = EventSpool(runBytes: 1, temporaryDirectory: dir)
        try spool.add(AuditEvent(timestamp: TestSupport.ts("2026-10-05T10:00:00Z"), key: "user.login"))
        try spool.add(AuditEvent(timestamp: TestSupport.ts("2026-10-05T10:00:01Z"), key: "user.login"))
        #expect(!FileManager.default.fileExists(atPath: staleRun))
        #expect(FileManager.default.fileExists(atPath: liveRun))
        // An output beside which a killed run left its temporary file clears it.
        _ = try AtomicOutput(path: dir.appendingPathComponent("events.csv").path)
        #expect(!FileManager.default.fileExists(atPath: staleOutput))
    }

    @Test func aSetOfOutputsIsMovedIntoPlaceWholeOrNotAtAll() throws {
        let dir = TestSupport.temporaryDirectory()
        let a = dir.appendingPathComponent("a.csv").path
        let b = dir.appendingPathComponent("b.csv").path
        try "old a".write(toFile: a, atomically: false, encoding: .utf8)
        try "old b".write(toFile: b, atomically: false, encoding: .utf8)
        let first = try AtomicOutput(path: a)
        let second = try AtomicOutput(path: b)
        for (output, text) in [(first, "new a"), (second, "new b")] {
            let file = try output.open()
            file.write(text)
            try file.close()
        }
        // The second rename fails (its temporary file is gone): the first is put back.
        unlink(second.temporaryPath)
        #expect(throws: OutputError.self) { try AtomicOutput.commitAll([first, second]) }
        #expect(try String(contentsOfFile: a, encoding: .utf8) == "old a")
        #expect(try String(contentsOfFile: b, encoding: .utf8) == "old b")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.csv", "b.csv"])
    }

    /// An input from a pipe (`<(zcat …)`, a named pipe) is refused by name before anything reads
    /// it: the zone check would eat its first bytes and the run proper would then see no header.
    @Test func anInputFromAPipeIsRefusedWithItsName() throws {
        let dir = TestSupport.temporaryDirectory()
        let fifo = dir.appendingPathComponent("export.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for command in [["report", fifo, "\(examples)/sample-2026-10-siem.jsonl", "--month", "2026-10", "--dry-run"], ["convert", fifo, "--output", dir.appendingPathComponent("c.xlsx").path]] {
            let process = Process()
            process.executableURL = CommandLineTests.program
            process.arguments = command
            let errors = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0, "\(command[0])")
            #expect(text.contains("\(fifo): error: cannot open: not a regular file (a pipe or a device)"), "\(command[0]): \(text)")
        }
    }

    /// A run that finishes leaves its temporary folder as it found it (the workbook's private
    /// folder for libxlsxwriter's sheet files included).
    @Test func aFinishedRunLeavesNothingInTheTemporaryFolder() throws {
        let dir = TestSupport.temporaryDirectory()
        let temp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        for command in [
            ["report", "\(examples)/sample-2026-10.csv", "\(examples)/sample-2026-10-siem.jsonl", "--month", "2026-10", "--output-dir", dir.appendingPathComponent("out").path],
            ["convert", "\(examples)/sample-2026-10.csv", "--output", dir.appendingPathComponent("c.xlsx").path],
        ] {
            let process = Process()
            process.executableURL = CommandLineTests.program
            process.arguments = command + ["--temp-dir", temp.path, "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(command[0])")
            #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == [], "\(command[0])")
        }
    }

    /// SIGTERM at many moments of a run (reading, writing, moving into place): it exits with
    /// 143 (or finishes), and no temporary file is left, neither beside the outputs nor among
    /// the sort runs.
    @Test func terminatedAtAnyMomentARunLeavesNoTemporaryFile() throws {
        let dir = TestSupport.temporaryDirectory()
        let temp = dir.appendingPathComponent("tmp")
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        for delay in stride(from: 20_000, through: 620_000, by: 50_000) {
            let process = Process()
            process.executableURL = CommandLineTests.program
            process.arguments = ["report", "\(examples)/sample-2026-10.csv", "\(examples)/sample-2026-10-siem.jsonl", "--month", "2026-10", "--output-dir", out.path, "--temp-dir", temp.path, "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay))
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect([0, 128 + SIGTERM].contains(process.terminationStatus), "delay \(delay)")
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).filter { $0.contains(".tmp-") }
                + ((try? FileManager.default.contentsOfDirectory(atPath: temp.path)) ?? [])
            #expect(left == [], "delay \(delay)")
        }
    }
}

