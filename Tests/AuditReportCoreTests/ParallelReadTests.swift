import Foundation
import Testing

@testable import AuditReportCore

/// Several inputs are read at the same time; the run must not show it.
@Suite struct ParallelReadTests {
    /// Three inputs, each with rows that warn, and events spread over the same seconds.
    func inputs() -> [String] {
        (0..<3).map { n in
            var rows = ["Date,Event,Email,Page ID"]
            for i in 0..<400 {
                rows.append("2026-10-0\(1 + i % 9)T10:00:\(String(format: "%02d", i % 60))Z,page.viewed,p\(n)@x.de,page-\(i % 7)")
                if i % 50 == 0 { rows.append("not a time,page.viewed,p\(n)@x.de,page-1") }
            }
            return TestSupport.file("input-\(n).csv", rows.joined(separator: "\n"))
        }
    }

    @Test func diagnosticsComeInInputOrderAndEventsInStreamOrder() throws {
        let paths = inputs()
        let diagnostics = DiagnosticsEngine(limitPerMessage: 3)
        // A small run size, so every input spills runs that are merged across inputs.
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: paths, runBytes: 4096), diagnostics: diagnostics)
        try pipeline.read()
        var events: [AuditEvent] = []
        try pipeline.emit { events.append($0) }
        #expect(diagnostics.diagnostics.map(\.file) == paths.flatMap { Array(repeating: $0, count: 3) })
        #expect(diagnostics.warningCount == 3 * 8)
        #expect(pipeline.inputs.map(\.read.path) == paths)
        #expect(pipeline.inputs.map(\.read.skipped) == [8, 8, 8])
        #expect(events.count == 1200)
        // Newest first, ties by input and line.
        for (a, b) in zip(events, events.dropFirst()) {
            #expect(a.timestamp > b.timestamp || (a.timestamp == b.timestamp && a.source < b.source))
        }
    }

    @Test func inStrictModeTheFirstInputsWarningEndsTheRun() throws {
        let paths = inputs()
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: paths), diagnostics: DiagnosticsEngine(strict: true))
        let error = #expect(throws: StrictModeError.self) { try pipeline.read() }
        #expect(error?.diagnostic.file == paths[0])
    }
}
