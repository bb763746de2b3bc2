import Foundation

/// One output of a report run, in one shape: made (its files opened) before the inputs are
/// read, so a path that cannot be written fails fast; handed the period's events newest first;
/// finished with the month's facts; then its files are moved into place with every other
/// output's, as one set. Adding a format is adding a type.
protocol ReportOutput: AnyObject {
    /// The files it writes, in the order they are reported.
    var files: [AtomicOutput] { get }
    /// Takes one event of the period (events come newest first). Most outputs need none.
    func take(_ event: AuditEvent) throws
    /// Writes everything that depends on the whole period and closes its files.
    func finish(_ facts: ReportFacts) throws
    /// Stops work in progress after a failure (a writer thread); its files are then discarded.
    func abandon()
}

extension ReportOutput {
    func take(_ event: AuditEvent) throws {}
    func abandon() {}
}

/// What every output of a run shares.
struct OutputContext {
    let options: ReportJob.Options
    let localizer: Localizer
    let pipeline: EventPipeline
    /// The inputs' file names, for source columns and references.
    let sources: [String]
    let reportDate: Timestamp

    /// The atomic output for a file name in the output folder.
    func file(_ name: String) throws -> AtomicOutput {
        try AtomicOutput(path: options.outputDirectory.appendingPathComponent(name).path, protectedPaths: options.inputs)
    }
}
