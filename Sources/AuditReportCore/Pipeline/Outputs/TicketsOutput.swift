import Foundation

/// `--tickets FILE`: the findings as Opal access-request tickets, in Opal's own values.
final class TicketsOutput: ReportOutput {
    let file: AtomicOutput
    private let context: OutputContext

    init(_ context: OutputContext, path: String) throws {
        self.context = context
        file = try AtomicOutput(path: path, protectedPaths: context.options.inputs)
    }

    var files: [AtomicOutput] { [file] }

    func finish(_ facts: ReportFacts) throws {
        let l = context.localizer
        let out = try file.open()
        let writer = CSVWriter(file: out, dialect: .rfc4180)
        writer.row(Ticket.columns)
        for ticket in ReportJob.tickets(for: facts, l, reporter: context.options.reporter) {
            writer.row([
                ticket.title, ticket.status, ticket.reporter, ticket.priorities.joined(separator: ", "),
                ticket.created.map { Ticket.notionDate(l.civil($0)) } ?? "", ticket.lastEdited.map { Ticket.notionDate(l.civil($0)) } ?? "",
            ])
        }
        try out.close()
    }
}
