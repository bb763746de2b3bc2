import CAuditIsal
import CAuditZlib
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The workbook's zip compressed on every core, with ISA-L.
///
/// libxlsxwriter writes each worksheet's XML to a temporary file while rows come in, and
/// compresses all of it when the workbook is closed, through minizip and zlib's `deflate`, on
/// one core: for a million events that is 1.2 GB of XML and about half of the run, with the
/// other core idle. This file defines zlib's `deflateInit2_`, `deflate` and `deflateEnd` in the
/// executable, and the dynamic linker binds minizip's calls to them (the linker exports an
/// executable's definition of a symbol that a linked library, here libz, also defines, so that
/// the executable's wins; `theWorkbookIsCompressedThisWay` checks it). A raw deflate stream
/// (a zip entry's) is cut into blocks of `blockSize` bytes, and each block is compressed on a
/// thread of its own, primed with the 32 KiB before it as its dictionary and ended with a sync
/// flush, so the blocks' outputs joined in order are one valid deflate stream (as pigz makes
/// them). Blocks are compressed by ISA-L at zlib's default level and below, by zlib above it
/// (`BlockCompressor`). Every other stream (the gzip of the JSON-lines output, anything
/// zlib-framed) goes to zlib unchanged.
///
/// The bytes depend only on the input and `blockSize`, not on the threads' timing, so a run
/// writes the same workbook each time (a thread's stream is reset between blocks, which
/// gives the bytes a fresh one would). Memory: at most `maxInFlight` + 1 blocks of input and
/// output (about 10 MB), allocated once per stream; one compressor state per thread.
public enum ParallelDeflate {
    /// Input bytes per block: large enough that the per-block cost (a zlib state, a sync flush
    /// marker, a primed window) is lost in the noise, small enough to keep both cores busy.
    public static let blockSize = 1 << 20
    /// The deflate window: each block is primed with this many bytes before it.
    static let window = 1 << 15

    /// What compresses a stream's blocks at zlib's default level and below (above it: zlib).
    public enum Engine: Sendable {
        /// ISA-L's level 3: about 3 times as fast as zlib's level 6, about a tenth more bytes.
        case isal
        /// zlib at the level asked for: the smallest workbook, for `AUDIT_REPORT_DEFLATE=zlib`.
        case zlib
    }

    /// ISA-L unless the environment's `AUDIT_REPORT_DEFLATE` is `zlib`. (Tests pick a stream's
    /// engine through `initialize`, so that no test changes what the others write.)
    static let engine: Engine = ProcessInfo.processInfo.environment["AUDIT_REPORT_DEFLATE"]?.lowercased() == "zlib" ? .zlib : .isal

    /// Streams compressed in blocks so far (so a test can see that the workbook went this way).
    public static var streamsCompressed: Int { registry.withLock { $0.finished } }

    /// The streams compressed in blocks, by the address of their `z_stream` (zlib streams do
    /// not move: zlib itself checks that).
    private static let registry = Registry()

    final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var state = (streams: [UInt: Deflater](), finished: 0)

        func withLock<T>(_ body: (inout (streams: [UInt: Deflater], finished: Int)) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&state)
        }
    }

    static func deflater(_ strm: z_streamp?) -> Deflater? {
        guard let strm else { return nil }
        return registry.withLock { $0.streams[UInt(bitPattern: strm)] }
    }

    // MARK: zlib's entry points, as the executable defines them

    static func initialize(
        _ strm: z_streamp?, _ level: Int32, _ method: Int32, _ windowBits: Int32, _ memLevel: Int32, _ strategy: Int32,
        _ version: UnsafePointer<CChar>?, _ streamSize: Int32, engine: Engine = ParallelDeflate.engine
    ) -> Int32 {
        // Only a zip entry's stream (raw deflate, compressed); the rest is zlib's own business.
        guard let strm, windowBits == -15, method == Z_DEFLATED, level != 0, (-1...9).contains(level), (1...9).contains(memLevel),
            (0...4).contains(strategy), let version, version.pointee == zlibVersion().pointee, streamSize == Int32(MemoryLayout<z_stream>.size)
        else { return RealZlib.deflateInit2(strm, level, method, windowBits, memLevel, strategy, version, streamSize) }
        strm.pointee.msg = nil
        strm.pointee.state = nil
        strm.pointee.total_in = 0
        strm.pointee.total_out = 0
        strm.pointee.data_type = Z_UNKNOWN
        strm.pointee.adler = 1
        let isal = engine == .isal && (level == Z_DEFAULT_COMPRESSION || (1...6).contains(level))
        let deflater = Deflater(level: level, memLevel: memLevel, strategy: strategy, isal: isal)
        registry.withLock { $0.streams[UInt(bitPattern: strm)] = deflater }
        return Z_OK
    }

    static func deflate(_ strm: z_streamp?, _ flush: Int32) -> Int32 {
        guard let strm, let deflater = deflater(strm) else { return RealZlib.deflate(strm, flush) }
        return deflater.deflate(strm, flush)
    }

    static func end(_ strm: z_streamp?) -> Int32 {
        guard let strm, let deflater = registry.withLock({ $0.streams.removeValue(forKey: UInt(bitPattern: strm)) }) else { return RealZlib.deflateEnd(strm) }
        let complete = deflater.finish()
        if complete { registry.withLock { $0.finished += 1 } }
        // As zlib: a stream freed before its end is reported, though freed all the same.
        return complete ? Z_OK : Z_DATA_ERROR
    }
}

/// zlib's own functions, found past the executable's definitions of them.
enum RealZlib {
    typealias Init2 = @convention(c) (z_streamp?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<CChar>?, Int32) -> Int32
    typealias Deflate = @convention(c) (z_streamp?, Int32) -> Int32
    typealias End = @convention(c) (z_streamp?) -> Int32

    private static func find<T>(_ name: String, as type: T.Type) -> T {
        // RTLD_NEXT: the first definition after the calling object, which is libz's. (Not the
        // default search, which would find the executable's own and call it forever.)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: -1), name) else {
            fatalError("zlib's \(name) not found")
        }
        return unsafeBitCast(symbol, to: type)
    }

    static let deflateInit2: Init2 = find("deflateInit2_", as: Init2.self)
    static let deflate: Deflate = find("deflate", as: Deflate.self)
    static let deflateEnd: End = find("deflateEnd", as: End.self)
}

/// One raw deflate stream compressed in blocks.
final class Deflater {
    /// One block of input and, once compressed, its output. Blocks are reused through a stream,
    /// so a stream allocates its few buffers once, not per block.
    final class Block: @unchecked Sendable {
        let level: Int32
        let memLevel: Int32
        let strategy: Int32
        /// Compressed with ISA-L (else with zlib).
        let isal: Bool
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: ParallelDeflate.blockSize)
        var count = 0
        /// The input before this block's (at most a window), which primes its compression.
        let dictionary = UnsafeMutablePointer<UInt8>.allocate(capacity: ParallelDeflate.window)
        var dictionaryCount = 0
        var final = false
        private(set) var output: UnsafeMutablePointer<UInt8>
        private(set) var outputCapacity: Int
        var outputCount = 0
        var failed = false
        /// Guards `compressed`, which the compressing thread sets.
        private let condition = NSCondition()
        private var compressed = false

        init(level: Int32, memLevel: Int32, strategy: Int32, isal: Bool) {
            self.level = level
            self.memLevel = memLevel
            self.strategy = strategy
            self.isal = isal
            // zlib's bound for stored blocks, and room for the flush marker.
            outputCapacity = Int(compressBound(UInt(ParallelDeflate.blockSize))) + 64
            output = .allocate(capacity: outputCapacity)
        }

        deinit {
            input.deallocate()
            dictionary.deallocate()
            output.deallocate()
        }

        func grow() {
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: outputCapacity * 2)
            larger.update(from: output, count: outputCount)
            output.deallocate()
            output = larger
            outputCapacity *= 2
        }

        /// Ready for the next input of the stream.
        func reuse() {
            count = 0
            dictionaryCount = 0
            final = false
            outputCount = 0
            failed = false
            compressed = false
        }

        func markCompressed() {
            condition.lock()
            compressed = true
            condition.broadcast()
            condition.unlock()
        }

        /// Waits until the block is compressed.
        func wait() {
            condition.lock()
            while !compressed { condition.wait() }
            condition.unlock()
        }

        /// Whether the block is compressed, without waiting. (A semaphore's wait with a timeout
        /// of now put the caller to sleep for a while on Linux, which halved the throughput.)
        func isDone() -> Bool {
            condition.lock()
            defer { condition.unlock() }
            return compressed
        }
    }

    let level: Int32
    let memLevel: Int32
    let strategy: Int32
    /// Whether its blocks are compressed with ISA-L (else with zlib).
    let isal: Bool
    /// Blocks being compressed, at most this many (both cores busy, one queued for each).
    let maxInFlight = 2 * max(ProcessInfo.processInfo.activeProcessorCount, 1)
    /// The block being filled.
    private var current: Block?
    /// Blocks compressed and emptied, for reuse.
    private var spare: [Block] = []
    /// The last `window` bytes of input taken into blocks handed on.
    private var tail: [UInt8] = []
    /// Blocks handed to threads, in stream order.
    private var inFlight: [Block] = []
    /// Compressed bytes not yet handed out, from `readyStart` on.
    private var ready: [UInt8] = []
    private var readyStart = 0
    private var finishing = false
    private var failed = false
    private var ended = false
    /// For a stream that fits one block (most zip entries), compressed on the calling thread.
    private lazy var compressor = BlockCompressor()

    init(level: Int32, memLevel: Int32, strategy: Int32, isal: Bool) {
        self.level = level
        self.memLevel = memLevel
        self.strategy = strategy
        self.isal = isal
    }

    /// zlib's `deflate` on this stream: takes input into blocks, hands out what is compressed.
    /// Z_NO_FLUSH returns once the input is taken (output follows in later calls, as zlib's own
    /// may hold it back); Z_FINISH returns Z_OK while output remains and Z_STREAM_END after the
    /// last byte; the other flush modes hand out everything taken so far.
    func deflate(_ strm: UnsafeMutablePointer<z_stream>, _ flush: Int32) -> Int32 {
        if failed { return Z_STREAM_ERROR }
        guard strm.pointee.next_out != nil || strm.pointee.avail_out == 0, strm.pointee.next_in != nil || strm.pointee.avail_in == 0 else { return Z_STREAM_ERROR }
        if finishing && (flush != Z_FINISH || strm.pointee.avail_in > 0) { return Z_BUF_ERROR }
        var progressed = false
        while true {
            if hand(to: strm) { progressed = true }
            if failed { return Z_STREAM_ERROR }
            if strm.pointee.avail_out == 0 { return progressed ? Z_OK : Z_BUF_ERROR }
            if strm.pointee.avail_in > 0 {
                let block = current ?? take()
                current = block
                let n = min(Int(strm.pointee.avail_in), ParallelDeflate.blockSize - block.count)
                (block.input + block.count).update(from: strm.pointee.next_in, count: n)
                block.count += n
                strm.pointee.next_in += n
                strm.pointee.avail_in -= UInt32(n)
                strm.pointee.total_in += UInt(n)
                progressed = true
                if block.count == ParallelDeflate.blockSize { submit(final: false) }
                continue
            }
            if flush == Z_NO_FLUSH { return progressed ? Z_OK : Z_BUF_ERROR }
            if flush == Z_FINISH {
                if !finishing {
                    finishing = true
                    submit(final: true)
                }
            } else if current.map({ $0.count > 0 }) ?? false {
                submit(final: false)
            }
            if inFlight.isEmpty && readyStart == ready.count {
                if flush == Z_FINISH {
                    ended = true
                    return Z_STREAM_END
                }
                return Z_OK
            }
            if readyStart == ready.count { collect(wait: true) }
        }
    }

    /// An empty block, primed with the input before it.
    private func take() -> Block {
        let block = spare.popLast() ?? Block(level: level, memLevel: memLevel, strategy: strategy, isal: isal)
        block.reuse()
        tail.withUnsafeBufferPointer { block.dictionary.update(from: $0.baseAddress!, count: $0.count) }
        block.dictionaryCount = tail.count
        return block
    }

    /// Hands compressed bytes to the stream's output; true when it handed some.
    private func hand(to strm: UnsafeMutablePointer<z_stream>) -> Bool {
        collect(wait: false)
        let count = min(ready.count - readyStart, Int(strm.pointee.avail_out))
        guard count > 0 else { return false }
        ready.withUnsafeBufferPointer { source in
            strm.pointee.next_out.update(from: source.baseAddress! + readyStart, count: count)
        }
        strm.pointee.next_out += count
        strm.pointee.avail_out -= UInt32(count)
        strm.pointee.total_out += UInt(count)
        readyStart += count
        if readyStart == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyStart = 0
        }
        return true
    }

    /// Moves the output of the compressed blocks at the front to `ready`, in order; with
    /// `wait`, waits for the first one.
    private func collect(wait: Bool) {
        var first = wait
        while let block = inFlight.first {
            if first {
                block.wait()
                first = false
            } else if !block.isDone() {
                return
            }
            inFlight.removeFirst()
            if block.failed {
                failed = true
                return
            }
            if readyStart > 0 {
                ready.removeSubrange(0..<readyStart)
                readyStart = 0
            }
            ready.append(contentsOf: UnsafeBufferPointer(start: block.output, count: block.outputCount))
            spare.append(block)
        }
    }

    /// Hands the current block to a thread; waits for the oldest block first when enough are
    /// in flight. The last block of a stream that fits one block is compressed here.
    private func submit(final: Bool) {
        let block = current ?? take()
        current = nil
        block.final = final
        let input = UnsafeBufferPointer(start: block.input, count: block.count)
        if input.count >= ParallelDeflate.window {
            tail.removeAll(keepingCapacity: true)
            tail.append(contentsOf: input.suffix(ParallelDeflate.window))
        } else {
            tail.append(contentsOf: input)
            if tail.count > ParallelDeflate.window { tail.removeFirst(tail.count - ParallelDeflate.window) }
        }
        while inFlight.count >= maxInFlight { collect(wait: true) }
        inFlight.append(block)
        if final && inFlight.count == 1 {
            compressor.compress(block)
        } else {
            DeflateWorkers.shared.run { $0.compress(block) }
        }
    }

    /// Waits for the blocks still being compressed (their memory is theirs until then).
    /// - Returns: whether the stream had ended.
    func finish() -> Bool {
        for block in inFlight { block.wait() }
        inFlight.removeAll()
        return ended
    }
}

/// What compresses a thread's blocks: ISA-L (Intel's deflate) for the levels up to zlib's
/// default, zlib itself for the higher ones. ISA-L's level 3 writes standard deflate 3 times
/// as fast as zlib's level 6, for 7% more bytes on worksheet XML (measured on 200 MB of a
/// report's events sheet: 28.7 MB in 0.65 s against 26.7 MB in 2.07 s).
/// A stream is kept per thread and reset for each block, so a block allocates no state.
final class BlockCompressor {
    /// Allocated: zlib keeps the stream's address and checks it.
    private let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var parameters: (level: Int32, memLevel: Int32, strategy: Int32)?
    private let isal = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
    private var isalBuffer: UnsafeMutablePointer<UInt8>?
    private let isalBufferSize = Int(audit_report_isal_level3_buffer_size())

    init() {
        z.initialize(to: z_stream())
        isal.initialize(to: isal_zstream())
    }

    deinit {
        if parameters != nil { _ = RealZlib.deflateEnd(z) }
        z.deallocate()
        isal.deallocate()
        isalBuffer?.deallocate()
    }

    /// Compresses the block: primed with the bytes before it, ended with a sync flush (or, the
    /// last one, with the stream's end). Marks it compressed (or failed) in any case.
    func compress(_ block: Deflater.Block) {
        defer { block.markCompressed() }
        if !(block.isal ? compressWithISAL(block) : compressWithZlib(block)) { block.failed = true }
    }

    private func compressWithISAL(_ block: Deflater.Block) -> Bool {
        let buffer = isalBuffer ?? .allocate(capacity: isalBufferSize)
        isalBuffer = buffer
        isal_deflate_init(isal)
        isal.pointee.level = 3
        isal.pointee.level_buf = buffer
        isal.pointee.level_buf_size = UInt32(isalBufferSize)
        isal.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
        isal.pointee.end_of_stream = block.final ? 1 : 0
        isal.pointee.flush = UInt16(block.final ? NO_FLUSH : SYNC_FLUSH)
        if block.dictionaryCount > 0 {
            guard isal_deflate_set_dict(isal, block.dictionary, UInt32(block.dictionaryCount)) == COMP_OK else { return false }
        }
        isal.pointee.next_in = block.input
        isal.pointee.avail_in = UInt32(block.count)
        var stalled = 0
        while true {
            let before = block.outputCount
            isal.pointee.next_out = block.output + block.outputCount
            isal.pointee.avail_out = UInt32(block.outputCapacity - block.outputCount)
            guard isal_deflate(isal) == COMP_OK else { return false }
            block.outputCount = block.outputCapacity - Int(isal.pointee.avail_out)
            if isal.pointee.avail_in == 0 && (block.final ? audit_report_isal_ended(isal) != 0 : isal.pointee.avail_out > 0) { return true }
            if isal.pointee.avail_out == 0 {
                block.grow()
            } else if block.outputCount == before {
                // No progress with room to write: never seen; not a loop forever either.
                stalled += 1
                if stalled > 3 { return false }
            }
        }
    }

    private func compressWithZlib(_ block: Deflater.Block) -> Bool {
        if let p = parameters, p == (block.level, block.memLevel, block.strategy) {
            guard deflateReset(z) == Z_OK else { return failZlib() }
        } else {
            if parameters != nil { _ = RealZlib.deflateEnd(z) }
            parameters = nil
            guard RealZlib.deflateInit2(z, block.level, Z_DEFLATED, -15, block.memLevel, block.strategy, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                return false
            }
            parameters = (block.level, block.memLevel, block.strategy)
        }
        if block.dictionaryCount > 0 {
            guard deflateSetDictionary(z, block.dictionary, UInt32(block.dictionaryCount)) == Z_OK else { return failZlib() }
        }
        z.pointee.next_in = block.input
        z.pointee.avail_in = UInt32(block.count)
        while true {
            z.pointee.next_out = block.output + block.outputCount
            z.pointee.avail_out = UInt32(block.outputCapacity - block.outputCount)
            let status = RealZlib.deflate(z, block.final ? Z_FINISH : Z_SYNC_FLUSH)
            block.outputCount = block.outputCapacity - Int(z.pointee.avail_out)
            if block.final ? status == Z_STREAM_END : (status == Z_OK && z.pointee.avail_in == 0 && z.pointee.avail_out > 0) { return true }
            guard status == Z_OK || status == Z_BUF_ERROR else { return failZlib() }
            block.grow()
        }
    }

    private func failZlib() -> Bool {
        if parameters != nil { _ = RealZlib.deflateEnd(z) }
        parameters = nil
        return false
    }
}

/// Threads that compress blocks, one per core, each with its own zlib stream; started on first
/// use and kept for the process. (Dispatch's global queue ran the blocks one after the other
/// here: its pool on Linux did not widen while the thread that queued them waited.)
final class DeflateWorkers: @unchecked Sendable {
    static let shared = DeflateWorkers(count: max(ProcessInfo.processInfo.activeProcessorCount, 1))
    private let condition = NSCondition()
    private var queue: [(BlockCompressor) -> Void] = []
    private var head = 0

    init(count: Int) {
        for index in 0..<count {
            let thread = Thread { [self] in work() }
            thread.name = "deflate-\(index + 1)"
            thread.start()
        }
    }

    func run(_ job: @escaping (BlockCompressor) -> Void) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        let compressor = BlockCompressor()
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job(compressor)
        }
    }
}

// The executable's definitions of zlib's three functions (see `ParallelDeflate`).

@_cdecl("deflateInit2_")
public func audit_report_deflateInit2_(
    _ strm: z_streamp?, _ level: Int32, _ method: Int32, _ windowBits: Int32, _ memLevel: Int32, _ strategy: Int32,
    _ version: UnsafePointer<CChar>?, _ streamSize: Int32
) -> Int32 {
    ParallelDeflate.initialize(strm, level, method, windowBits, memLevel, strategy, version, streamSize)
}

@_cdecl("deflate")
public func audit_report_deflate(_ strm: z_streamp?, _ flush: Int32) -> Int32 {
    ParallelDeflate.deflate(strm, flush)
}

@_cdecl("deflateEnd")
public func audit_report_deflateEnd(_ strm: z_streamp?) -> Int32 {
    ParallelDeflate.end(strm)
}
