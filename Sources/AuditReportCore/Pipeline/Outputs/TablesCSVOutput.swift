import Foundation

/// The CSV set's tables besides the events: findings, pages, actors, summary.
final class TablesCSVOutput: ReportOutput {
    private let tables: [(AtomicOutput, (ReportFacts, Localizer) -> ReportTable)]
    private let context: OutputContext

    init(_ context: OutputContext, names: (String) -> String) throws {
        self.context = context
        let parts: [(String, (ReportFacts, Localizer) -> ReportTable)] = [
            ("findings", { ReportTable.findings($0, $1, maxEvidence: FindingsEngine.maxReferences) }),
            ("rules", { ReportTable.rules($0, $1) }), ("pages", { ReportTable.pages($0, $1) }), ("actors", { ReportTable.actors($0, $1) }),
            ("summary", { ReportTable.summary($0, $1) }),
        ]
        tables = try parts.map { (try context.file(names($0.0)), $0.1) }
    }

    var files: [AtomicOutput] { tables.map(\.0) }

    func finish(_ facts: ReportFacts) throws {
        let l = context.localizer
        for (output, make) in tables {
            let table = make(facts, l)
            let file = try output.open()
            let writer = CSVWriter(file: file, dialect: context.options.dialect)
            writer.row(table.headers)
            for row in table.rows { writer.row(row.map { ReportTable.text($0, l, groupNumbers: false) }) }
            try file.close()
        }
    }
}
