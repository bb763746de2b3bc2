import Foundation
import Testing

@testable import AuditReportCore

#if canImport(Glibc)
    import Glibc
#endif

/// libxlsxwriter's temporary files as compressed streams (`WorkbookTemporaryFile`): what is
/// written is read back after a rewind, byte for byte, whatever the sizes; a failure is kept
/// for the workbook to report.
@Suite struct WorkbookTemporaryFileTests {
    /// Worksheet-like XML (compresses) with stretches of noise (does not), `count` bytes.
    static func content(_ count: Int, seed: UInt64, noise: Bool = true) -> [UInt8] {
        var generator = seed
        func next() -> UInt64 {
            generator = generator &* 6364136223846793005 &+ 1442695040888963407
            return generator >> 33
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 200)
        var row = 0
        while bytes.count < count {
            if noise && next() % 50 == 0 {
                // Noise long enough that a whole block of it cannot shrink.
                for _ in 0..<Int(next() % 40_000) { bytes.append(UInt8(truncatingIfNeeded: next())) }
            } else {
                row += 1
                bytes += Array(#"<row r="\#(row)"><c r="A\#(row)" t="inlineStr"><is><t>event \#(next() % 977)</t></is></c></row>"#.utf8)
            }
        }
        return Array(bytes.prefix(count))
    }

    /// Where two byte arrays first differ (nil: equal), so a failure names a place, not megabytes.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        if let i = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) { return i }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    /// Writes `input` through a stream in `chunk`-byte writes, rewinds, reads it back in
    /// `readChunk`-byte reads.
    static func roundTrip(_ input: [UInt8], chunk: Int, readChunk: Int, in directory: String) -> (output: [UInt8], position: Int, ended: Bool) {
        guard let file = WorkbookTemporaryFile.open(in: directory) else { return ([], -1, false) }
        defer { fclose(file) }
        var offset = 0
        input.withUnsafeBytes { bytes in
            while offset < input.count {
                let n = min(chunk, input.count - offset)
                offset += fwrite(bytes.baseAddress! + offset, 1, n, file)
                if n == 0 { break }
            }
        }
        let position = ftell(file)
        fflush(file)
        rewind(file)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: readChunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress!, 1, readChunk, file) }
            output += buffer.prefix(n)
            if n < readChunk { break }
        }
        return (output, position, feof(file) != 0)
    }

    @Test(arguments: [
        (0, 4096, 4096), (1, 1, 7), (100, 3, 16384), (70_000, 8192, 4096),
        (WorkbookTemporaryFile.blockSize, 8192, 16384), (WorkbookTemporaryFile.blockSize + 1, 65_537, 4096),
        (3 * WorkbookTemporaryFile.blockSize + 12_345, 4_000_000, 1_000_001),
    ])
    func whatIsWrittenIsReadBack(count: Int, chunk: Int, readChunk: Int) {
        let input = Self.content(count, seed: UInt64(count))
        let dir = TestSupport.temporaryDirectory()
        let result = Self.roundTrip(input, chunk: chunk, readChunk: readChunk, in: dir.path)
        #expect(result.position == count)
        #expect(result.output.count == input.count)
        #expect(Self.firstDifference(result.output, input) == nil)
        #expect(result.ended)
        #expect(WorkbookTemporaryFile.failures.take(directory: dir.path) == nil)
        // The file was unlinked as it was made: nothing is left in the folder.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) == [])
    }

    @Test func aStreamCanBeReadAgainAfterASecondRewind() {
        let input = Self.content(2 * WorkbookTemporaryFile.blockSize + 99, seed: 3)
        let dir = TestSupport.temporaryDirectory()
        guard let file = WorkbookTemporaryFile.open(in: dir.path) else { Issue.record("no stream"); return }
        defer { fclose(file) }
        _ = input.withUnsafeBytes { fwrite($0.baseAddress!, 1, input.count, file) }
        for _ in 0..<2 {
            rewind(file)
            var output = [UInt8](repeating: 0, count: input.count + 10)
            let n = output.withUnsafeMutableBytes { fread($0.baseAddress!, 1, input.count + 10, file) }
            #expect(n == input.count)
            #expect(Self.firstDifference(Array(output.prefix(n)), input) == nil)
        }
    }

    /// Worksheet XML takes far less room on disk than it has bytes.
    @Test func worksheetXMLShrinksOnDisk() throws {
        let input = Self.content(4 * WorkbookTemporaryFile.blockSize, seed: 0, noise: false)
        let dir = TestSupport.temporaryDirectory()
        var template = Array(dir.appendingPathComponent("t-XXXXXX").path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        #expect(descriptor >= 0)
        let file = WorkbookTemporaryFile(descriptor: descriptor, directory: dir.path)
        #expect(input.withUnsafeBytes { file.write($0.baseAddress!, input.count) } == input.count)
        #expect(file.seek(0, SEEK_SET) == 0)
        var status = stat()
        #expect(fstat(descriptor, &status) == 0)
        #expect(status.st_size > 0 && Int(status.st_size) < input.count / 5)
        var output = [UInt8](repeating: 0, count: input.count)
        #expect(output.withUnsafeMutableBytes { file.read($0.baseAddress!, input.count) } == input.count)
        #expect(Self.firstDifference(output, input) == nil)
        #expect(file.close() == 0)
    }

    /// A workbook's temporary files go through these streams, and the workbook reads as written.
    @Test func theWorkbookSheetsAreKeptCompressed() throws {
        let before = WorkbookTemporaryFile.statistics.totals
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("t.xlsx").path
        let workbook = try XLSXWorkbook(path: path, created: Timestamp(milliseconds: 0), temporaryDirectory: dir.path)
        // This workbook's files alone: the process's totals also hold what other tests write
        // meanwhile (this suite's incompressible round trips had made the ratio fail).
        WorkbookTemporaryFile.statistics.watch(directory: workbook.temporaryFilesDirectory)
        let sheet = try workbook.addSheet("Events")
        for row in 0..<20_000 { try sheet.write(row, 0, text: "row \(row) of a sheet that compresses") }
        try workbook.close()
        let (raw, stored) = try #require(WorkbookTemporaryFile.statistics.take(directory: workbook.temporaryFilesDirectory))
        #expect(WorkbookTemporaryFile.statistics.totals.raw - before.raw >= raw)
        // The rows' XML, twice (the rows' file and the assembled sheet), at least.
        #expect(raw > 2 * 20_000 * 50)
        #expect(stored > 0 && stored < raw / 4)
        let book = try WorkbookReader(path: path)
        #expect(try book.cell("Events", "A20000")?.value == "row 19999 of a sheet that compresses")
    }

    @Test func aFullDiskIsKeptForTheWorkbook() throws {
        let directory = "/test/full-disk-\(UUID().uuidString)"
        let descriptor = open("/dev/full", O_RDWR)
        try #require(descriptor >= 0)
        let file = WorkbookTemporaryFile(descriptor: descriptor, directory: directory)
        let input = Self.content(WorkbookTemporaryFile.blockSize + 1, seed: 5)
        // The first block is written when the second begins.
        #expect(input.withUnsafeBytes { file.write($0.baseAddress!, input.count) } == -1)
        #expect(errno == ENOSPC)
        // Once failed, the stream stays failed.
        #expect(file.seek(0, SEEK_SET) == -1)
        #expect(input.withUnsafeBytes { file.write($0.baseAddress!, 10) } == -1)
        #expect(file.close() == 0)
        let failure = WorkbookTemporaryFile.failures.take(directory: directory)
        #expect(failure == "a temporary file of the workbook could not be written: no space left on device")
        #expect(WorkbookTemporaryFile.failures.take(directory: directory) == nil)
    }

    /// Through stdio, as libxlsxwriter writes: the failed write sets the stream's error, and the
    /// failure is kept.
    @Test func aFullDiskFailsTheStream() throws {
        let directory = "/test/full-disk-stream-\(UUID().uuidString)"
        let descriptor = open("/dev/full", O_RDWR)
        try #require(descriptor >= 0)
        let stream = try #require(WorkbookTemporaryFile.stream(descriptor: descriptor, directory: directory))
        let input = Self.content(WorkbookTemporaryFile.blockSize + 100_000, seed: 6)
        // The first block is written when the second begins: the write stops short there.
        #expect(input.withUnsafeBytes { fwrite($0.baseAddress!, 1, input.count, stream) } < input.count)
        #expect(ferror(stream) != 0)
        fclose(stream)
        #expect(WorkbookTemporaryFile.failures.take(directory: directory) == "a temporary file of the workbook could not be written: no space left on device")
    }

    @Test func aWorkbookReportsItsTemporaryFilesFailure() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("t.xlsx").path
        let workbook = try XLSXWorkbook(path: path, created: Timestamp(milliseconds: 0), temporaryDirectory: dir.path)
        _ = try workbook.addSheet("Events")
        let failure = "a temporary file of the workbook could not be written: no space left on device"
        WorkbookTemporaryFile.failures.record(directory: workbook.temporaryFilesDirectory, message: failure)
        do {
            try workbook.close()
            Issue.record("the workbook closed as if whole")
        } catch let error as RenderError {
            #expect(error.description.hasPrefix("\(path): error: writing the workbook failed in workbook_close: \(failure)"))
        }
    }

    @Test func aDamagedBlockIsAFailure() throws {
        let input = Self.content(300_000, seed: 9, noise: false)
        let dir = TestSupport.temporaryDirectory()
        let filePath = dir.appendingPathComponent("damaged").path
        let descriptor = open(filePath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        let file = WorkbookTemporaryFile(descriptor: descriptor, directory: dir.path)
        #expect(input.withUnsafeBytes { file.write($0.baseAddress!, input.count) } == input.count)
        #expect(file.seek(0, SEEK_SET) == 0)
        // Scramble the middle of the stored block.
        var status = stat()
        #expect(fstat(descriptor, &status) == 0)
        let noise = [UInt8](repeating: 0xFF, count: 64)
        #expect(noise.withUnsafeBytes { pwrite(descriptor, $0.baseAddress!, 64, off_t(status.st_size / 2)) } == 64)
        var output = [UInt8](repeating: 0, count: input.count)
        #expect(output.withUnsafeMutableBytes { file.read($0.baseAddress!, input.count) } == -1)
        #expect(errno == EIO)
        #expect(file.close() == 0)
        #expect(WorkbookTemporaryFile.failures.take(directory: dir.path) == "a temporary file of the workbook has a block that does not inflate: input/output error")
    }

    @Test func onlyTheStartAndTheCurrentPlaceCanBeSought() throws {
        let dir = TestSupport.temporaryDirectory()
        guard let stream = WorkbookTemporaryFile.open(in: dir.path) else { Issue.record("no stream"); return }
        #expect(fputs("abc", stream) >= 0)
        #expect(ftell(stream) == 3)
        fclose(stream)
        let descriptor = open(dir.appendingPathComponent("t").path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        let file = WorkbookTemporaryFile(descriptor: descriptor, directory: dir.path)
        #expect(file.write(Array("abc".utf8), 3) == 3)
        #expect(file.seek(0, SEEK_CUR) == 3)
        #expect(file.seek(1, SEEK_SET) == -1)
        #expect(errno == EINVAL)
        #expect(file.close() == 0)
        #expect(WorkbookTemporaryFile.failures.take(directory: dir.path) == "a temporary file of the workbook was moved to a place other than its start: invalid argument")
    }

    @Test func nothingIsWrittenAfterARewind() throws {
        let dir = TestSupport.temporaryDirectory()
        let descriptor = open(dir.appendingPathComponent("t").path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        let file = WorkbookTemporaryFile(descriptor: descriptor, directory: dir.path)
        let bytes = Array("abc".utf8)
        #expect(file.write(bytes, 3) == 3)
        #expect(file.seek(0, SEEK_SET) == 0)
        #expect(file.write(bytes, 1) == -1)
        #expect(errno == EINVAL)
        #expect(file.close() == 0)
        #expect(WorkbookTemporaryFile.failures.take(directory: dir.path) == "a temporary file of the workbook was written after it was rewound: invalid argument")
    }
}
