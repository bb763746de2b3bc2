import Foundation
import Testing

@testable import AuditReportCore

@Suite struct TicketTests {
    static let export = """
        Title,Status,Reporter,Priority,Created time,Last edited time
        Access to Finance teamspace,Completed,anna@example.com,High,"October 1, 2026 9:00 AM","October 1, 2026 3:00 PM"
        Access to HR wiki,Completed,ben@example.com,"Low, Medium","October 2, 2026 9:00 AM","October 3, 2026 9:00 AM"
        Admin rights for Jira Sync,Open,anna@example.com,Urgent,"October 5, 2026 8:00 AM","October 5, 2026 8:00 AM"
        Guest access for agency,In Progress,ben@example.com,High,"October 6, 2026 8:00 AM","October 7, 2026 8:00 AM"
        Read access to roadmap,Open,ben@example.com,Low,"October 8, 2026 8:00 AM","October 8, 2026 8:00 AM"

        """

    @Test func aTicketExportIsRecognisedByItsHeaderAndSummarised() throws {
        let path = TestSupport.file("opal.csv", Self.export)
        var tickets: [Ticket] = []
        var context = ReadContext(store: TestSupport.store, inputIndex: 0, inputTimeZone: TestSupport.utc, diagnostics: DiagnosticsEngine())
        context.onTicket = { tickets.append($0) }
        let summary = try InputReader.read(path: path, context: context) { _ in Issue.record("no events expected") }
        #expect(summary.kind == .ticketsCSV)
        #expect(tickets.count == 5)
        #expect(tickets[1].priorities == ["Low", "Medium"])
        #expect(tickets[0].created == TestSupport.ts("2026-10-01T09:00:00Z"))
        let a = AccessRequests(tickets)
        #expect(a.byStatus.map(\.0) == ["Open", "In Progress", "Completed"])
        #expect(a.byStatus.map(\.1) == [2, 1, 2])
        #expect(a.byPriority.map(\.0) == ["Urgent", "High", "Medium", "Low"])
        #expect(a.byPriority.map(\.1) == [1, 2, 1, 2])
        #expect(a.openUrgentOrHigh.map(\.title) == ["Admin rights for Jira Sync", "Guest access for agency"])
        // Completed: 6 hours and 24 hours; the median of two is their mean.
        #expect(a.medianCompletionHours == 15)
    }

    @Test func convertRefusesATicketExportWithAClearMessage() throws {
        let path = TestSupport.file("opal.csv", Self.export)
        #expect(TestSupport.readError(path: path) == .unexpectedTickets(path: path))
    }

    @Test func ticketsWrittenByTheToolReadBackWithNothingLost() throws {
        let out = TestSupport.temporaryDirectory()
        let ticketsPath = out.appendingPathComponent("tickets.csv").path
        let l = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.berlin)
        let period = try ReportPeriod(parsing: "2026-10", zone: ZoneResolver(timeZone: TestSupport.berlin))
        let fixture = ReportGoldenTests.fixture
        var options = ReportJob.Options(
            inputs: [fixture.appendingPathComponent("export.csv").path, fixture.appendingPathComponent("stream.jsonl").path], period: period, outputDirectory: out, formats: [.csv],
            rules: FindingsTests.rules, ticketsPath: ticketsPath)
        options.reporter = "review@example.com"
        let job = ReportJob(options: options, localizer: l, diagnostics: DiagnosticsEngine())
        let result = try job.run()
        let written = ReportJob.tickets(for: result.facts, l, reporter: "review@example.com")
        #expect(written.count == 3)
        // The finding, who changed the setting, the month; the reviewer reports it, never the suspect.
        #expect(written[0].title == "Erzwingen von SAML-SSO ausgeschaltet: anna@example.com (Oktober 2026)")
        #expect(written[0].priorities == ["High"])
        #expect(written[0].status == "Open")
        #expect(written[0].reporter == "review@example.com")
        // Read back as an input (Notion's dates are wall-clock times in the report's zone).
        var read: [Ticket] = []
        var context = ReadContext(store: TestSupport.store, inputIndex: 0, inputTimeZone: TestSupport.berlin, diagnostics: DiagnosticsEngine())
        context.onTicket = { read.append($0) }
        _ = try InputReader.read(path: ticketsPath, context: context) { _ in }
        #expect(read.map { Ticket(title: $0.title, status: $0.status, reporter: $0.reporter, priorities: $0.priorities, created: $0.created, lastEdited: $0.lastEdited) } == written)
        let header = try String(contentsOfFile: ticketsPath, encoding: .utf8).components(separatedBy: "\r\n")[0]
        #expect(header == "Title,Status,Reporter,Priority,Created time,Last edited time")
    }
}
