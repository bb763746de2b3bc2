import AuditReportCore
import Foundation
import FuzzDriver

#if canImport(Glibc)
    import Glibc
#endif

// libxlsxwriter's temporary files as this program makes them (`lxw_tmpfile`: a stdio stream over
// blocks compressed with ISA-L). Any bytes, repeated to a length the first bytes choose (so that
// inputs span several 1 MiB blocks), written in pieces of sizes the first bytes choose, then
// rewound and read in pieces of other sizes, must read back as themselves, end there, and leave
// no file in the folder.
let folder = NSTemporaryDirectory() + "audit-report-fuzz-sheet-\(getpid())"
_ = mkdir(folder, 0o700)

fuzz { bytes in
    guard bytes.count >= 6 else { return }
    let chunk = Int(bytes[0]) * 4099 + 1
    let readChunk = Int(bytes[1]) * 8209 + 1
    let length = (Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])) % (5 << 20)
    let seed = Array(bytes[5...])
    let input: [UInt8] = (0..<length).map { seed[$0 % seed.count] ^ UInt8(truncatingIfNeeded: $0 >> 12) }

    guard let file = folder.withCString({ audit_report_lxw_tmpfile(UnsafeMutablePointer(mutating: $0)) }) else {
        preconditionFailure("no temporary file: \(String(cString: strerror(errno)))")
    }
    input.withUnsafeBytes { source in
        var offset = 0
        while offset < input.count {
            let n = min(chunk, input.count - offset)
            precondition(fwrite(source.baseAddress! + offset, 1, n, file) == n, "a write failed")
            offset += n
        }
    }
    precondition(ftell(file) == input.count)
    precondition(fflush(file) == 0)
    rewind(file)
    var back: [UInt8] = []
    back.reserveCapacity(input.count)
    var buffer = [UInt8](repeating: 0, count: readChunk)
    while true {
        let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress!, 1, readChunk, file) }
        back += buffer.prefix(n)
        if n < readChunk { break }
    }
    precondition(feof(file) != 0 && ferror(file) == 0, "the read did not end cleanly")
    precondition(back == input, "the file does not read back as written")
    precondition(fclose(file) == 0)
    precondition((try? FileManager.default.contentsOfDirectory(atPath: folder)) == [], "a file was left behind")
}
