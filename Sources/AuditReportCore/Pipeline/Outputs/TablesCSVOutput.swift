import Foundation

/// The CSV set's tables besides the events: findings, pages, actors, summary.
final class TablesCSVOutput: ReportOutput {
    /// The findings are written row by row as each is made (tens of thousands in a busy month,
    /// with up to 200 references each); the other tables are small and made whole.
    private enum Part {
        case findings
        case table((ReportFacts, Localizer) -> ReportTable)
    }
    private let tables: [(AtomicOutput, Part)]
    private let context: OutputContext

    init(_ context: OutputContext, names: (String) -> String) throws {
        self.context = context
        let parts: [(String, Part)] = [
            ("findings", .findings),
            ("rules", .table { ReportTable.rules($0, $1) }), ("pages", .table { ReportTable.pages($0, $1) }), ("actors", .table { ReportTable.actors($0, $1) }),
            ("summary", .table { ReportTable.summary($0, $1) }),
        ]
        tables = try parts.map { (try context.file(names($0.0)), $0.1) }
    }

    var files: [AtomicOutput] { tables.map(\.0) }

    func finish(_ facts: ReportFacts) throws {
        let l = context.localizer
        for (output, part) in tables {
            let file = try output.open()
            let writer = CSVWriter(file: file, dialect: context.options.dialect)
            func write(_ row: [ReportTable.Cell]) { writer.row(row.map { ReportTable.text($0, l, groupNumbers: false) }) }
            switch part {
            case .findings:
                let findings = ReportTable.findingRows(facts, l, maxEvidence: FindingsEngine.maxReferences)
                writer.row(findings.headers)
                for f in facts.findings ?? [] { write(findings.row(f)) }
            case .table(let make):
                let table = make(facts, l)
                writer.row(table.headers)
                for row in table.rows { write(row) }
            }
            try file.close()
        }
    }
}
