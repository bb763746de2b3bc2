import Foundation

/// Hands events (or rows made of them) to a consumer on a thread of its own, so writing the
/// workbook's event rows (libxlsxwriter's formatting and file writes) runs on the second core
/// while this thread merges, deduplicates and counts.
///
/// Events travel in batches through a queue of at most `maxBatches`, so memory stays bounded
/// when the consumer is the slower side. The first error the consumer throws is kept; `send`
/// and `finish` throw it on this thread and the consumer gets no more events.
///
/// The consumer must own what it touches (its own `Localizer`, the workbook while the relay
/// runs); `DiagnosticsEngine` may be shared.
final class EventRelay<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [MoveBatch<Item>] = []
    private var closed = false
    private var failure: Error?
    private var batch: MoveBatch<Item>
    /// Emptied batches, handed back by the consumer with their storage (see `flush`).
    private var spares: [MoveBatch<Item>] = []
    private let batchSize: Int
    private let maxBatches: Int
    private var finished = false
    private var exited = false
    private let name: String

    /// Starts the consumer thread. At most `batchSize × (maxBatches + 1)` events are in flight
    /// (2,560 by default: a few MB; more bought no speed and cost 15 MB at 1M events).
    init(batchSize: Int = 512, maxBatches: Int = 4, name: String = "audit-report writer", consumer: @escaping (Item) throws -> Void) {
        self.name = name
        self.batchSize = batchSize
        self.maxBatches = maxBatches
        batch = MoveBatch(capacity: batchSize)
        let box = ConsumerBox(consume: consumer)
        let state = Holder()
        // The thread holds the relay (and the consumer, with what it captured) until its loop
        // ends, then lets go: the relay then goes with its last user, and the events of a
        // batch not written with it.
        let thread = Thread {
            state.relay?.run(box.consume)
            state.relay = nil
        }
        thread.stackSize = 8 << 20
        thread.name = name
        state.relay = self
        thread.start()
    }

    /// The consumer, carried to its thread (only that thread calls it).
    private final class ConsumerBox: @unchecked Sendable {
        let consume: (Item) throws -> Void
        init(consume: @escaping (Item) throws -> Void) { self.consume = consume }
    }

    /// The relay as the thread sees it, set before the thread starts (a strong reference).
    private final class Holder: @unchecked Sendable {
        var relay: EventRelay?
    }

    private func run(_ consume: (Item) throws -> Void) {
        while true {
            condition.lock()
            if queue.isEmpty && !closed {
                let start = WaitLedger.shared.now()
                while queue.isEmpty && !closed { condition.wait() }
                WaitLedger.shared.add("\(name) waits for events", since: start)
            }
            if queue.isEmpty {
                WaitLedger.shared.threadEnds(name)
                exited = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let next = queue.removeFirst()
            condition.broadcast()
            let failed = failure != nil
            condition.unlock()
            if failed { continue }
            do {
                // Moved out of the batch, not copied (see `MoveBatch`).
                while let item = next.popFirst() { try consume(item) }
            } catch {
                condition.lock()
                failure = error
                condition.broadcast()
                condition.unlock()
            }
            next.removeAll()
            condition.lock()
            if spares.count < maxBatches { spares.append(next) }
            condition.unlock()
        }
    }

    /// Queues an event (moved into the batch when the caller gives it up).
    /// - Throws: the consumer's error, once it has failed.
    func send(_ item: consuming Item) throws {
        batch.append(item)
        if batch.isFull { try flush() }
    }

    private func flush() throws {
        condition.lock()
        defer { condition.unlock() }
        if queue.count >= maxBatches && failure == nil {
            let start = WaitLedger.shared.now()
            while queue.count >= maxBatches && failure == nil { condition.wait() }
            WaitLedger.shared.add("sender waits for \(name)", since: start)
        }
        if let failure { throw failure }
        // The batch goes whole, and an emptied one comes back in its place: a batch is a few
        // hundred KB, and allocating one per flush (freed on the other thread, past glibc's
        // mmap threshold) cost page faults and heap consolidation on both threads.
        queue.append(batch)
        batch = spares.popLast() ?? MoveBatch(capacity: batchSize)
        condition.broadcast()
    }

    /// Sends what is left, waits for the consumer to write it and stops the thread.
    /// - Throws: the consumer's error.
    func finish() throws {
        guard !finished else { return }
        if !batch.isEmpty {
            do { try flush() } catch {
                stop()
                throw error
            }
        }
        stop(discarding: false)
        if let failure { throw failure }
    }

    /// Stops the thread; with `discarding`, events not yet written are dropped (after an error
    /// on this side). Callers stop in a `defer`, as the thread keeps the relay alive.
    func stop(discarding: Bool = true) {
        guard !finished else { return }
        finished = true
        condition.lock()
        closed = true
        if discarding {
            queue.removeAll()
            batch.removeAll()
        }
        condition.broadcast()
        while !exited { condition.wait() }
        condition.unlock()
    }
}
