/// Reads a CSV export of an Opal access-request ticket database (recognised by its header).
struct TicketCSVReader {
    let tokenizer: CSVTokenizer
    let context: ReadContext

    /// Whether a header names the ticket schema's columns (Title, Status, Reporter, Priority, Created time).
    static func isTicketHeader(_ names: [String]) -> Bool {
        let folded = Set(names.map(ColumnAliases.fold))
        return ["title", "status", "reporter", "priority", "createdtime"].allSatisfy(folded.contains)
    }

    func read(into summary: inout ReadSummary, _ sink: (Ticket) throws -> Void) throws {
        let path = tokenizer.reader.path
        var record = CSVRecord()
        try tokenizer.nextNonBlank(into: &record)
        let header = (0..<record.count).map { ColumnAliases.fold(record.repairedString($0)) }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        let (title, status, reporter, priority, created, edited) = (column("title"), column("status"), column("reporter"), column("priority"), column("createdtime"), column("lasteditedtime"))
        let zone = ZoneResolver(timeZone: context.inputTimeZone)
        func time(_ text: String) -> Timestamp? {
            switch TimestampParser.parse(text) {
            case .instant(let t)?: return t
            case .local(let c)?: return zone.instant(ofLocal: c)
            case nil: return nil
            }
        }
        while try tokenizer.next(into: &record) {
            if record.isBlank { continue }
            guard record.count == header.count else {
                summary.skipped += 1
                try context.diagnostics.emit(Diagnostic(file: path, line: record.line, "expected \(header.count) fields as in the header, found \(record.count); row skipped"))
                continue
            }
            func text(_ i: Int?) -> String { i.map { record.repairedString($0).trimmingSpaces() } ?? "" }
            let ticket = Ticket(
                title: text(title), status: text(status), reporter: text(reporter),
                priorities: text(priority).split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty },
                created: time(text(created)), lastEdited: time(text(edited)), source: SourceLocation(input: context.inputIndex, line: record.line))
            if !text(created).isEmpty && ticket.created == nil {
                try context.diagnostics.emit(Diagnostic(file: path, line: record.line, "unrecognized created time '\(text(created).prefix(60))'; kept without a time"))
            }
            summary.events += 1
            try sink(ticket)
        }
    }
}

import Foundation
