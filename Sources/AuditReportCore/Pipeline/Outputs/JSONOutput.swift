import Foundation

/// `…-report.json`: the machine-readable twin (see `ReportJSON`).
final class JSONOutput: ReportOutput {
    let file: AtomicOutput
    private let context: OutputContext

    init(_ context: OutputContext, name: String) throws {
        self.context = context
        file = try context.file(name)
    }

    var files: [AtomicOutput] { [file] }

    func finish(_ facts: ReportFacts) throws {
        let out = try file.open()
        ReportJSON.write(facts, context.localizer, zone: ZoneResolver(timeZone: context.localizer.timeZone)) { out.write($0) }
        try out.close()
    }
}
