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

    final class Token {
        let n: Int
        init(_ n: Int) { self.n = n }
    }

    @Test func aBatchGivesItsValuesInOrderAndKeepsNoCopy() {
        let batch = MoveBatch<Token>(capacity: 3)
        weak var first: Token?
        do {
            let token = Token(1)
            first = token
            batch.append(token)
        }
        batch.append(Token(2))
        #expect(batch.count == 2 && !batch.isFull)
        batch.append(Token(3))
        #expect(batch.isFull)
        var taken = batch.popFirst()
        #expect(taken?.n == 1)
        taken = nil
        // Moved out: the batch held the only reference, and now nothing does.
        #expect(first == nil)
        #expect(batch.popFirst()?.n == 2)
        #expect(batch.popFirst()?.n == 3)
        #expect(batch.popFirst() == nil && batch.isEmpty)
        // Emptied, it is filled from its start again.
        for i in 4...6 { batch.append(Token(i)) }
        #expect(batch.isFull && batch.popFirst()?.n == 4)
    }

    @Test func valuesLeftInABatchAreReleasedWithItOrWhenDropped() {
        weak var dropped: Token?
        weak var left: Token?
        do {
            let batch = MoveBatch<Token>(capacity: 4)
            for i in 0..<3 {
                let token = Token(i)
                if i == 0 { dropped = token }
                batch.append(token)
            }
            _ = batch.popFirst()
            batch.removeAll()
            #expect(dropped == nil && batch.isEmpty)
            let token = Token(9)
            left = token
            batch.append(token)
        }
        #expect(left == nil)
    }

    @Test func eventsNotWrittenAfterAnErrorAreReleased() throws {
        weak var last: Token?
        do {
            let relay = EventRelay<Token>(batchSize: 8, maxBatches: 2) { token in
                if token.n == 3 { throw Boom() }
            }
            defer { relay.stop() }
            #expect(throws: Boom.self) {
                for i in 0..<50 {
                    let token = Token(i)
                    last = token
                    try relay.send(token)
                }
                try relay.finish()
            }
        }
        #expect(last == nil)
    }
}
