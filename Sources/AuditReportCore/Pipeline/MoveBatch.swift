/// A batch of values of a fixed capacity, filled at its end and emptied from its front, each
/// value moved in and moved out, never copied.
///
/// The queues between threads (`InputStream`, `EventRelay`) hand events on in batches. An
/// `Array` can only give up its elements from the end, so a batch taken in order was reversed
/// first, and `reverse` swaps by copying: each of an event's texts retained and released
/// again, on texts the other thread's events share (about 7% of reading's instructions).
///
/// One thread at a time owns a batch; the queues hand it on under their lock.
final class MoveBatch<Element>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Element>
    let capacity: Int
    private var start = 0
    private var end = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a batch holds at least one value")
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        (base + start).deinitialize(count: end - start)
        base.deallocate()
    }

    var count: Int { end - start }
    var isEmpty: Bool { start == end }
    /// Whether no value fits any more (until the batch is emptied).
    var isFull: Bool { end == capacity }

    /// Moves the value in at the end.
    func append(_ value: consuming Element) {
        precondition(end < capacity, "append to a full batch")
        (base + end).initialize(to: value)
        end += 1
    }

    /// Moves the first value out; nil once the batch is empty, which is then filled from its
    /// start again.
    func popFirst() -> Element? {
        guard start < end else { return nil }
        let value = (base + start).move()
        start += 1
        if start == end { start = 0; end = 0 }
        return value
    }

    /// Moves the first value into `slot` (uninitialized memory); false once the batch is empty.
    /// The value is copied once, where handing it back as an optional had copied it several times.
    func moveFirst(to slot: UnsafeMutablePointer<Element>) -> Bool {
        guard start < end else { return false }
        slot.moveInitialize(from: base + start, count: 1)
        start += 1
        if start == end { start = 0; end = 0 }
        return true
    }

    /// Drops the values left, keeping the storage.
    func removeAll() {
        (base + start).deinitialize(count: end - start)
        start = 0
        end = 0
    }
}
