import Foundation

/// Reads one input on a thread of its own and hands its events to one consumer, in the order
/// read, through a bounded queue (the mirror of `EventRelay`: here the producer has the thread).
///
/// At most `batchSize × (maxBatches + 2)` events are in flight. The reader's outcome (what it
/// read besides the events, or its error) comes after its last event: `next` returns nil, then
/// `outcome` holds it; an error is thrown by `next` instead. `cancel` stops the reader at its
/// next event and waits for its thread to end.
final class InputStream<Outcome>: @unchecked Sendable {
    /// Thrown inside the reader when the consumer has cancelled it.
    struct Cancelled: Error {}

    private let condition = NSCondition()
    private var queue: [MoveBatch<AuditEvent>] = []
    private var spares: [MoveBatch<AuditEvent>] = []
    private var cancelled = false
    private var ended = false
    private var result: Result<Outcome, Error>?
    private let batchSize: Int
    private let maxBatches: Int
    private let name: String
    /// The producer's batch being filled (the reader thread's only).
    private var filling: MoveBatch<AuditEvent>
    /// The consumer's batch being emptied (the consumer's only).
    private var taking: MoveBatch<AuditEvent>?

    /// What the reader is given: where its events go, and a check that throws `Cancelled` once
    /// the consumer has cancelled (for stretches of input that give no event to send).
    struct Feed {
        let send: (consuming AuditEvent) throws -> Void
        let check: () throws -> Void
    }

    /// Starts `read` on a new thread; it hands each event to `feed.send`.
    init(batchSize: Int = 512, maxBatches: Int = 4, name: String, read: @escaping (_ feed: Feed) throws -> Outcome) {
        self.batchSize = batchSize
        self.maxBatches = maxBatches
        self.name = name
        filling = MoveBatch(capacity: batchSize)
        let box = Box(read: read)
        let state = Holder()
        let thread = Thread { state.stream?.produce(box.read) }
        thread.stackSize = 8 << 20
        thread.name = name
        state.stream = self
        thread.start()
    }

    private final class Box: @unchecked Sendable {
        let read: (Feed) throws -> Outcome
        init(read: @escaping (Feed) throws -> Outcome) { self.read = read }
    }

    /// The stream as the thread sees it, set before the thread starts. The thread keeps the
    /// stream alive until it ends (a strong reference, released with the thread's closure).
    private final class Holder: @unchecked Sendable {
        var stream: InputStream?
    }

    private func produce(_ read: (Feed) throws -> Outcome) {
        let feed = Feed(send: { try self.send($0) }, check: {
            self.condition.lock()
            defer { self.condition.unlock() }
            if self.cancelled { throw Cancelled() }
        })
        var outcome = Result { try read(feed) }
        if case .success = outcome, !filling.isEmpty {
            do { try flush() } catch { outcome = .failure(error) }
        }
        condition.lock()
        result = outcome
        WaitLedger.shared.threadEnds(name)
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    private func send(_ event: consuming AuditEvent) throws {
        filling.append(event)
        if filling.isFull { try flush() }
    }

    private func flush() throws {
        condition.lock()
        defer { condition.unlock() }
        if queue.count >= maxBatches && !cancelled {
            let start = WaitLedger.shared.now()
            while queue.count >= maxBatches && !cancelled { condition.wait() }
            WaitLedger.shared.add("\(name) waits for the merge to take events", since: start)
        }
        if cancelled { throw Cancelled() }
        queue.append(filling)
        filling = spares.popLast() ?? MoveBatch(capacity: batchSize)
        condition.broadcast()
    }

    /// The next event as read, or nil after the last.
    /// - Throws: the reader's error, after the events it read before it.
    func next() throws -> AuditEvent? {
        if let event = taking?.popFirst() { return event }
        return try takeBatch()?.popFirst()
    }

    /// The same, moved into `slot` (uninitialized memory); false after the last.
    func next(into slot: UnsafeMutablePointer<AuditEvent>) throws -> Bool {
        if let taking, taking.moveFirst(to: slot) { return true }
        return try takeBatch()?.moveFirst(to: slot) ?? false
    }

    /// The next full batch, waited for, once the one being taken from is empty; nil after the last.
    private func takeBatch() throws -> MoveBatch<AuditEvent>? {
        condition.lock()
        if queue.isEmpty && !ended {
            let start = WaitLedger.shared.now()
            while queue.isEmpty && !ended { condition.wait() }
            WaitLedger.shared.add("merge waits for \(name)", since: start)
        }
        guard !queue.isEmpty else {
            let result = result
            condition.unlock()
            if case .failure(let error) = result { throw error }
            return nil
        }
        // The emptied batch goes back for the reader to fill; the full one's events are moved
        // out, not copied (see `MoveBatch`).
        if let taken = taking, spares.count < maxBatches { spares.append(taken) }
        let next = queue.removeFirst()
        taking = next
        condition.broadcast()
        condition.unlock()
        return next
    }

    /// What the reader returned, once `next` has returned nil.
    var outcome: Outcome? {
        condition.lock()
        defer { condition.unlock() }
        if case .success(let value) = result { return value }
        return nil
    }

    /// Stops the reader (at its next event) and waits for its thread to end.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        while !ended { condition.wait() }
        condition.unlock()
        taking?.removeAll()
    }
}

/// Several inputs, each newest first but for events a little out of place, merged into one
/// newest-first stream in exactly the spool's order (time, then input, then line), without
/// sorting them: each input passes through a window of `window` events, their sort keys kept in
/// order, and the merge takes the first of the inputs' heads.
///
/// An event that belongs before one already handed on (of any input) is past the window's
/// reach: the merge throws `EventPipeline.NotInOrder`, and the run must be made again with the
/// spool. Every event handed on is the first of all those held, and every event taken in
/// after it comes after it, so what is handed on is in order.
struct OrderedMerge {
    /// An event's place in the order, and its slot in `Window.events`.
    struct Key {
        var milliseconds: Int64
        var input: Int32
        var line: Int64
        var slot: Int32

        init(_ event: borrowing AuditEvent, slot: Int32) {
            milliseconds = event.timestamp.milliseconds
            input = Int32(event.source.input)
            line = Int64(event.source.line)
            self.slot = slot
        }

        /// The spool's order (`EventSpool.Entry.before`).
        @inline(__always)
        static func before(_ a: Key, _ b: Key) -> Bool {
            if a.milliseconds != b.milliseconds { return a.milliseconds > b.milliseconds }
            if a.input != b.input { return a.input < b.input }
            return a.line < b.line
        }
    }

    /// One input's window: the events held, and their keys in order. An input newest first
    /// gives most events after all those held, so a key is mostly appended, and the first is
    /// taken from the front (a binary heap had cost ten levels of comparisons for each event).
    /// The events lie in slots of memory of the window's own, moved in from the reader's batch
    /// and out to the merge once each (as optionals in an array, each event had been copied
    /// seven times on its way through).
    final class Window {
        let capacity: Int
        private let slots: UnsafeMutablePointer<AuditEvent>
        private var free: [Int32]
        /// The keys of the events held, first at `head`; those before `head` were handed on
        /// (dropped once they are as many as the window holds).
        private var keys: [Key] = []
        private var head = 0

        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: capacity)
            free = (0..<Int32(capacity)).reversed().map { $0 }
            keys.reserveCapacity(2 * capacity)
        }

        deinit {
            for key in keys[head...] { (slots + Int(key.slot)).deinitialize(count: 1) }
            slots.deallocate()
        }

        var isFull: Bool { keys.count - head >= capacity }
        var isEmpty: Bool { head == keys.count }
        var first: Key? { head < keys.count ? keys[head] : nil }

        /// Takes in an event.
        /// - Throws: `NotInOrder` when it belongs before `last`, the event last handed on.
        func push(_ event: consuming AuditEvent, after last: Key?, path: String) throws {
            let slot = free.removeLast()
            (slots + Int(slot)).initialize(to: event)
            try place(slot, after: last, path: path)
        }

        /// Takes in the next event of `stream`, moved from its batch; false after its last.
        /// - Throws: `NotInOrder` as `push`; the reader's error.
        func push<Outcome>(from stream: InputStream<Outcome>, after last: Key?, path: String) throws -> Bool {
            let slot = free.removeLast()
            guard try stream.next(into: slots + Int(slot)) else {
                free.append(slot)
                return false
            }
            try place(slot, after: last, path: path)
            return true
        }

        /// Files the event in `slot` by its key.
        private func place(_ slot: Int32, after last: Key?, path: String) throws {
            let key = Key(slots[Int(slot)], slot: slot)
            if let last, Key.before(key, last) {
                (slots + Int(slot)).deinitialize(count: 1)
                free.append(slot)
                throw EventPipeline.NotInOrder(path: path, line: Int(key.line))
            }
            guard let back = keys.last, keys.count > head, Key.before(key, back) else {
                keys.append(key)
                return
            }
            // Out of place: after every key it does not come before (equal keys keep the order
            // they were read in), found by halving.
            var low = head, high = keys.count - 1
            while low < high {
                let middle = (low + high) / 2
                if Key.before(key, keys[middle]) { high = middle } else { low = middle + 1 }
            }
            keys.insert(key, at: low)
        }

        /// Hands on the first event held.
        func pop() -> AuditEvent {
            let top = keys[head]
            head += 1
            if head == keys.count {
                keys.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= capacity {
                keys.removeFirst(head)
                head = 0
            }
            free.append(top.slot)
            return (slots + Int(top.slot)).move()
        }
    }

    /// Whether events read in this order pass through a window of `window` without one
    /// coming too late: the test made on each input's first events before the run commits to
    /// handing them on as they are read.
    static func passes(_ events: [AuditEvent], window: Int) -> Bool {
        let heap = Window(capacity: window)
        var last: Key?
        for event in events {
            if heap.isFull {
                last = heap.first
                _ = heap.pop()
            }
            do { try heap.push(event, after: last, path: "") } catch { return false }
        }
        return true
    }

    private var windows: [Window]
    /// Each input's first events (read to decide that the run may go this way), reversed.
    private var prefixes: [[AuditEvent]]
    private let streams: [InputStream<EventPipeline.InputPart>]
    private let paths: [String]
    private var last: Key?

    init(streams: [InputStream<EventPipeline.InputPart>], prefixes: [[AuditEvent]], paths: [String], window: Int) {
        self.streams = streams
        self.prefixes = prefixes.map { $0.reversed() }
        self.paths = paths
        windows = streams.map { _ in Window(capacity: window) }
    }

    /// Hands every event of the inputs to `body`, newest first.
    /// - Throws: `NotInOrder`; a reader's error; `body`'s.
    mutating func merge(_ body: (consuming AuditEvent) throws -> Void) throws {
        for input in windows.indices { try fill(input) }
        while true {
            var best = -1
            for input in windows.indices where !windows[input].isEmpty {
                if best < 0 || Key.before(windows[input].first!, windows[best].first!) { best = input }
            }
            guard best >= 0 else { return }
            last = windows[best].first
            let event = windows[best].pop()
            try fill(best)
            try body(event)
        }
    }

    /// Tops up an input's window from its first events, then from its reader.
    private mutating func fill(_ input: Int) throws {
        let window = windows[input]
        while !window.isFull {
            if let event = prefixes[input].popLast() {
                try window.push(event, after: last, path: paths[input])
            } else if try !window.push(from: streams[input], after: last, path: paths[input]) {
                return
            }
        }
    }
}
