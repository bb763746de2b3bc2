import Foundation

/// One output of a report run, in one shape: made (its files opened) before the inputs are
/// read, so a path that cannot be written fails fast; handed the period's events newest first;
/// finished with the month's facts; then its files are moved into place with every other
/// output's, as one set. Adding a format is adding a type.
protocol ReportOutput: AnyObject {
    /// The files it writes, in the order they are reported.
    var files: [AtomicOutput] { get }
    /// Takes one event of the period (events come newest first), with its cells when some
    /// output `showsEventTexts` (another output may use them too: the workbook's rows do).
    /// Most outputs need none.
    func take(_ event: AuditEvent, texts: EventTexts?) throws
    /// Shows the events' cells as they are (the events CSV): the run makes them once per event,
    /// in the report's language, and hands them to every output.
    var showsEventTexts: Bool { get }
    /// Writes everything that depends on the whole period and closes its files.
    func finish(_ facts: ReportFacts) throws
    /// Stops work in progress after a failure (a writer thread); its files are then discarded.
    func abandon()
    /// Finishes on a thread of its own while the others finish (the workbook: compressing its
    /// sheets is about half of all the work of writing it). It must then share no mutable
    /// state with them (its own localizer).
    var finishesOnItsOwnThread: Bool { get }
    /// Finishes after every other output (the manifest, which hashes their files).
    var finishesLast: Bool { get }
    /// Takes events on a thread of its own (the workbook's rows), so the second core is busy
    /// while events are handed on.
    var takesOnItsOwnThread: Bool { get }
}

extension ReportOutput {
    func take(_ event: AuditEvent, texts: EventTexts?) throws {}
    var showsEventTexts: Bool { false }
    func abandon() {}
    var finishesOnItsOwnThread: Bool { false }
    var finishesLast: Bool { false }
    var takesOnItsOwnThread: Bool { false }
}

/// Finishes a run's outputs: those that finish on their own thread alongside the rest, then the
/// ones that come last. Every thread is joined before an error is thrown, the first error in
/// the outputs' order.
enum OutputFinisher {
    private final class Outcome: @unchecked Sendable {
        var error: Error?
    }
    private final class Box: @unchecked Sendable {
        let output: ReportOutput
        let facts: ReportFacts
        init(_ output: ReportOutput, _ facts: ReportFacts) {
            self.output = output
            self.facts = facts
        }
    }

    static func finish(_ outputs: [ReportOutput], _ facts: ReportFacts) throws {
        let last = outputs.filter(\.finishesLast)
        let alongside = outputs.filter { !$0.finishesLast && $0.finishesOnItsOwnThread }
        let here = outputs.filter { !$0.finishesLast && !$0.finishesOnItsOwnThread }
        let threads = alongside.map { output -> (Outcome, DispatchSemaphore) in
            let outcome = Outcome()
            let done = DispatchSemaphore(value: 0)
            let box = Box(output, facts)
            let thread = Thread {
                do { try box.output.finish(box.facts) } catch { outcome.error = error }
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
            return (outcome, done)
        }
        var firstError: Error?
        for output in here {
            do { try output.finish(facts) } catch {
                firstError = error
                break
            }
        }
        for (_, done) in threads { done.wait() }
        if let error = threads.lazy.compactMap({ $0.0.error }).first ?? firstError { throw error }
        for output in last { try output.finish(facts) }
    }
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
