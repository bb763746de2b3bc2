import Foundation
import Testing

@testable import AuditReportCore

/// The hand-off of events to the writer thread: order kept, errors brought back, no hang.
@Suite struct EventRelayTests {
    struct Boom: Error, Equatable {}

    final class Seen: @unchecked Sendable {
        var lines: [Int] = []
    }

    func event(_ i: Int) -> AuditEvent {
        AuditEvent(timestamp: Timestamp(milliseconds: Int64(i)), key: "page.viewed", source: SourceLocation(input: 0, line: i))
    }

    @Test func everyEventArrivesInOrder() throws {
        let seen = Seen()
        let relay = EventRelay<AuditEvent>(batchSize: 7, maxBatches: 2) { seen.lines.append($0.source.line) }
        defer { relay.stop() }
        for i in 0..<10_001 { try relay.send(event(i)) }
        try relay.finish()
        #expect(seen.lines == Array(0..<10_001))
    }

    @Test func theConsumersErrorReachesTheSenderAndNothingMoreIsWritten() throws {
        let seen = Seen()
        let relay = EventRelay<AuditEvent>(batchSize: 4, maxBatches: 1) { e in
            if e.source.line == 10 { throw Boom() }
            seen.lines.append(e.source.line)
        }
        defer { relay.stop() }
        #expect(throws: Boom.self) {
            for i in 0..<100_000 { try relay.send(event(i)) }
            try relay.finish()
        }
        #expect(seen.lines == Array(0..<10))
    }

    @Test func stoppingAfterAnErrorOnTheSendingSideDoesNotHang() throws {
        let relay = EventRelay<AuditEvent>(batchSize: 2, maxBatches: 1) { _ in Thread.sleep(forTimeInterval: 0.001) }
        for i in 0..<20 { try relay.send(event(i)) }
        relay.stop()
        relay.stop()
        try relay.finish()
    }
}
