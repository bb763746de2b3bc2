import CAuditZlib
import Foundation
import Testing

@testable import AuditReportCore

/// The workbook's zip entries compressed in blocks on every core (`ParallelDeflate`): the
/// stream must inflate to its input whatever the sizes minizip hands in and takes out.
@Suite struct ParallelDeflateTests {
    /// Compresses `input` as minizip does (raw deflate through zlib's entry points, which the
    /// executable defines), `chunk` bytes in at a time and at most `room` bytes out per call.
    /// `engine` nil: zlib's own stream, as before this took over.
    static func compress(_ input: [UInt8], chunk: Int, room: Int, level: Int32 = -1, engine: ParallelDeflate.Engine? = .isal) throws -> [UInt8] {
        var z = z_stream()
        let size = Int32(MemoryLayout<z_stream>.size)
        if let engine {
            #expect(ParallelDeflate.initialize(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), size, engine: engine) == Z_OK)
            #expect(z.state == nil)
        } else {
            #expect(RealZlib.deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), size) == Z_OK)
            #expect(z.state != nil)
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: room)
        var offset = 0
        var ends = 0
        try input.withUnsafeBufferPointer { source in
            func call(_ flush: Int32) throws -> Int32 {
                try buffer.withUnsafeMutableBufferPointer { out in
                    z.next_out = out.baseAddress
                    z.avail_out = UInt32(room)
                    let status = deflate(&z, flush)
                    output += out.prefix(room - Int(z.avail_out))
                    guard status == Z_OK || status == Z_STREAM_END else { throw DeflateFailure(status: status) }
                    return status
                }
            }
            while offset < input.count {
                let n = min(chunk, input.count - offset)
                z.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + offset)
                z.avail_in = UInt32(n)
                // minizip's loop: call until the chunk is taken, emptying the output between calls.
                while z.avail_in > 0 { _ = try call(Z_NO_FLUSH) }
                offset += n
            }
            z.next_in = nil
            z.avail_in = 0
            while true {
                if try call(Z_FINISH) == Z_STREAM_END {
                    ends += 1
                    break
                }
            }
        }
        #expect(ends == 1)
        #expect(Int(z.total_in) == input.count)
        #expect(Int(z.total_out) == output.count)
        #expect(deflateEnd(&z) == Z_OK)
        return output
    }

    struct DeflateFailure: Error { let status: Int32 }

    /// Inflates a raw deflate stream with zlib (whose inflate nothing replaces).
    static func inflate(_ data: [UInt8]) -> [UInt8]? {
        var z = z_stream()
        guard audit_report_inflate_init_raw(&z) == Z_OK else { return nil }
        defer { inflateEnd(&z) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        data.withUnsafeBufferPointer { source in
            z.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            z.avail_in = UInt32(source.count)
            repeat {
                buffer.withUnsafeMutableBufferPointer { out in
                    z.next_out = out.baseAddress
                    z.avail_out = UInt32(out.count)
                    status = CAuditZlib.inflate(&z, Z_NO_FLUSH)
                    output += out.prefix(out.count - Int(z.avail_out))
                }
            } while status == Z_OK
        }
        return status == Z_STREAM_END && z.avail_in == 0 ? output : nil
    }

    /// Worksheet-like text: repeats within and across blocks, so the primed window matters.
    static func sheetText(bytes: Int) -> [UInt8] {
        var text: [UInt8] = []
        var row = 0
        var random = SampleRandom(seed: 7)
        while text.count < bytes {
            row += 1
            text += Array("<row r=\"\(row)\"><c r=\"A\(row)\" s=\"1\"><v>\(46_000 + random.below(1000))</v></c><c r=\"B\(row)\" t=\"inlineStr\"><is><t>user\(random.below(301))@example.com</t></is></c></row>".utf8)
        }
        return Array(text.prefix(bytes))
    }

    static func noise(bytes: Int) -> [UInt8] {
        var random = SampleRandom(seed: 3)
        return (0..<bytes).map { _ in UInt8(random.below(256)) }
    }

    @Test func everySizeAndChunkingInflatesToItsInput() throws {
        let block = ParallelDeflate.blockSize
        let inputs: [(String, [UInt8])] = [
            ("empty", []), ("one byte", [0x41]), ("short", Self.sheetText(bytes: 5000)),
            ("a block less one", Self.sheetText(bytes: block - 1)), ("one block", Self.sheetText(bytes: block)),
            ("a block and one", Self.sheetText(bytes: block + 1)), ("3.5 blocks", Self.sheetText(bytes: block * 7 / 2)),
            ("noise, 2.5 blocks", Self.noise(bytes: block * 5 / 2)),
        ]
        for (name, input) in inputs {
            var outputs: [[UInt8]] = []
            for (chunk, room) in [(16_384, 1 << 16), (1, 7), (100_003, 1), (max(input.count, 1), 1 << 22)] {
                // One byte in and out per call is slow; the smallest sizes run on the short inputs.
                if (chunk == 1 || room == 1) && input.count > 3 * block / 2 && name != "a block and one" { continue }
                let output = try Self.compress(input, chunk: chunk, room: room)
                #expect(Self.inflate(output) == input, "\(name), \(chunk) in, \(room) out")
                outputs.append(output)
            }
            // zlib's levels above the default, and AUDIT_REPORT_DEFLATE=zlib: zlib in blocks.
            for (level, engine) in [(Int32(9), ParallelDeflate.Engine.isal), (-1, .zlib)] {
                let zlib = try Self.compress(input, chunk: 65_536, room: 1 << 16, level: level, engine: engine)
                #expect(Self.inflate(zlib) == input, "\(name), level \(level), \(engine)")
            }
            // The bytes depend on the input only, not on how it was handed in or taken out.
            #expect(Set(outputs).count == 1, "\(name)")
        }
    }

    @Test func compressesAboutAsWellAsOneStream() throws {
        let input = Self.sheetText(bytes: ParallelDeflate.blockSize * 6)
        // zlib's default level goes to ISA-L (level 3); with AUDIT_REPORT_DEFLATE=zlib, and above
        // the default, to zlib in blocks.
        let fast = try Self.compress(input, chunk: 16_384, room: 1 << 16)
        let blocks6 = try Self.compress(input, chunk: 16_384, room: 1 << 16, engine: .zlib)
        let blocks9 = try Self.compress(input, chunk: 16_384, room: 1 << 16, level: 9)
        let whole = try Self.compress(input, chunk: 16_384, room: 1 << 16, engine: nil)
        let whole9 = try Self.compress(input, chunk: 16_384, room: 1 << 16, level: 9, engine: nil)
        for output in [blocks6, blocks9, whole, whole9] { #expect(Self.inflate(output) == input) }
        // ISA-L: within a tenth of zlib's default (8% on a real events sheet).
        #expect(Double(fast.count) <= Double(whole.count) * 1.10, "\(fast.count) against \(whole.count)")
        #expect(blocks6.count < fast.count)
        // zlib in blocks: a sync flush per block (5 bytes) and each block's first Huffman table.
        #expect(Double(blocks6.count) <= Double(whole.count) * 1.01 + 200, "\(blocks6.count) against \(whole.count)")
        #expect(Double(blocks9.count) <= Double(whole9.count) * 1.01 + 200, "\(blocks9.count) against \(whole9.count)")
    }

    @Test func otherStreamsAreZlibsOwn() throws {
        // A gzip stream (the JSON-lines output's) is not taken over: zlib's own framing comes out.
        var z = z_stream()
        #expect(audit_report_deflate_init_gzip(&z, 6) == Z_OK)
        // zlib's own state: the streams taken over have none.
        #expect(z.state != nil)
        var input = Array("hello".utf8)
        var out = [UInt8](repeating: 0, count: 256)
        let produced: Int = input.withUnsafeMutableBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                z.next_in = source.baseAddress
                z.avail_in = UInt32(source.count)
                z.next_out = target.baseAddress
                z.avail_out = UInt32(target.count)
                #expect(deflate(&z, Z_FINISH) == Z_STREAM_END)
                return target.count - Int(z.avail_out)
            }
        }
        #expect(deflateEnd(&z) == Z_OK)
        #expect(Array(out.prefix(2)) == [0x1F, 0x8B] && produced > 18)
    }

    @Test func aStreamEndedEarlyIsReportedAndFreed() throws {
        var z = z_stream()
        #expect(audit_report_deflate_init_raw(&z, 6) == Z_OK)
        var input = Self.sheetText(bytes: ParallelDeflate.blockSize * 3)
        var out = [UInt8](repeating: 0, count: 1024)
        input.withUnsafeMutableBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                z.next_in = source.baseAddress
                z.avail_in = UInt32(source.count)
                z.next_out = target.baseAddress
                z.avail_out = UInt32(target.count)
                while z.avail_in > 0 && z.avail_out > 0 { _ = deflate(&z, Z_NO_FLUSH) }
            }
        }
        // Blocks are still in flight: ending waits for them and says the stream did not end.
        #expect(deflateEnd(&z) == Z_DATA_ERROR)
        // After the end the stream is zlib's to refuse.
        #expect(deflate(&z, Z_FINISH) == Z_STREAM_ERROR)
    }

    @Test func theWorkbookIsCompressedThisWay() throws {
        let before = ParallelDeflate.streamsCompressed
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("t.xlsx").path
        let workbook = try XLSXWorkbook(path: path, created: Timestamp(milliseconds: 0), temporaryDirectory: dir.path)
        let sheet = try workbook.addSheet("Events")
        for row in 0..<2000 { try sheet.write(row, 0, text: "row \(row) of a sheet that compresses") }
        try workbook.close()
        // Every part of the zip (sheets, styles, relations) went through the blocks.
        #expect(ParallelDeflate.streamsCompressed - before >= 8)
        let book = try WorkbookReader(path: path)
        #expect(book.sheetNames == ["Events"])
        #expect(try book.cell("Events", "A2000")?.value == "row 1999 of a sheet that compresses")
    }
}
