import Foundation

/// The report to mail: one self-contained HTML page.
final class HTMLOutput: ReportOutput {
    let file: AtomicOutput
    private let renderer: HTMLReportRenderer

    /// Reads the template now, so a missing one fails before the long work.
    init(_ context: OutputContext, name: String) throws {
        guard let templates = context.options.templatesDirectory else {
            throw OutputError.renderFailed(path: "Templates", reason: "no templates folder for the HTML report")
        }
        renderer = try HTMLReportRenderer(localizer: context.localizer, templatesDirectory: templates)
        file = try context.file(name)
    }

    var files: [AtomicOutput] { [file] }

    func finish(_ facts: ReportFacts) throws {
        let out = try file.open()
        out.write(renderer.render(facts))
        try out.close()
    }
}
