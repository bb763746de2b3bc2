import Foundation

/// `…-events.csv`: one row per event of the period.
final class EventsCSVOutput: ReportOutput {
    let file: AtomicOutput
    private let out: OutputFile
    private var renderer: EventCSVRenderer?
    private let context: OutputContext

    init(_ context: OutputContext, name: String) throws {
        self.context = context
        file = try context.file(name)
        out = try file.open()
    }

    var files: [AtomicOutput] { [file] }

    var showsEventTexts: Bool { true }

    func take(_ event: AuditEvent, texts: EventTexts?) throws {
        if renderer == nil {
            // The inputs' own columns are known once they are read, before the first event.
            renderer = EventCSVRenderer(file: out, dialect: context.options.dialect, localizer: context.localizer, extraColumns: context.pipeline.extraColumns, sources: context.sources)
        }
        if let texts { renderer?.write(texts) } else { renderer?.write(event) }
    }

    func finish(_ facts: ReportFacts) throws {
        if renderer == nil {
            renderer = EventCSVRenderer(file: out, dialect: context.options.dialect, localizer: context.localizer, extraColumns: context.pipeline.extraColumns, sources: context.sources)
        }
        try out.close()
    }
}
