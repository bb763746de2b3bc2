import AuditReportCore
import CAuditZlib
import Foundation
import FuzzDriver

// The workbook's compression (zlib's deflate as the executable defines it for raw streams: ISA-L
// or zlib in 1 MiB blocks on worker threads). Any bytes, repeated to a length the first bytes
// choose (so that inputs span several blocks), handed in and taken out in pieces of sizes the
// first bytes choose, at a level they choose, must inflate back to themselves, end exactly once,
// and count their bytes as zlib does.
fuzz { bytes in
    guard bytes.count >= 6 else { return }
    let chunk = Int(bytes[0]) * 4099 + 1
    let room = Int(bytes[1]) * 257 + 1
    let level: Int32 = [-1, 1, 6, 9][Int(bytes[2]) % 4]
    let length = (Int(bytes[3]) << 8 | Int(bytes[4])) * 48
    let seed = Array(bytes[5...])
    let input: [UInt8] = seed.isEmpty ? [] : (0..<length).map { seed[$0 % seed.count] }

    var z = z_stream()
    precondition(audit_report_deflate_init_raw(&z, level) == Z_OK)
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: room)
    var ends = 0
    input.withUnsafeBufferPointer { source in
        func call(_ flush: Int32) -> Int32 {
            buffer.withUnsafeMutableBufferPointer { out in
                z.next_out = out.baseAddress
                z.avail_out = UInt32(room)
                let status = deflate(&z, flush)
                output += out.prefix(room - Int(z.avail_out))
                precondition(status == Z_OK || status == Z_STREAM_END, "deflate returned \(status)")
                return status
            }
        }
        var offset = 0
        while offset < input.count {
            let n = min(chunk, input.count - offset)
            z.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + offset)
            z.avail_in = UInt32(n)
            while z.avail_in > 0 { _ = call(Z_NO_FLUSH) }
            offset += n
        }
        z.next_in = nil
        z.avail_in = 0
        while call(Z_FINISH) != Z_STREAM_END {}
        ends += 1
    }
    precondition(ends == 1 && Int(z.total_in) == input.count && Int(z.total_out) == output.count)
    precondition(deflateEnd(&z) == Z_OK)

    var i = z_stream()
    precondition(audit_report_inflate_init_raw(&i) == Z_OK)
    var back: [UInt8] = []
    var out = [UInt8](repeating: 0, count: 1 << 16)
    var status: Int32 = Z_OK
    output.withUnsafeBufferPointer { source in
        i.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
        i.avail_in = UInt32(source.count)
        repeat {
            out.withUnsafeMutableBufferPointer { o in
                i.next_out = o.baseAddress
                i.avail_out = UInt32(o.count)
                status = inflate(&i, Z_NO_FLUSH)
                back += o.prefix(o.count - Int(i.avail_out))
            }
        } while status == Z_OK
    }
    inflateEnd(&i)
    precondition(status == Z_STREAM_END && i.avail_in == 0 && back == input, "the stream does not inflate to its input")
}
