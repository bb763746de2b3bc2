import AuditReportCore
import Foundation
import FuzzDriver

// The byte-level CSV tokenizer on any bytes, with each delimiter, against a tokenizer that takes
// one byte at a time (below): the same records, fields, lines, stray-quote lines and errors. The
// tokenizer scans eight bytes at a time and in buffers; the input is read once from memory and
// once from a file through buffers of 1 to 16 bytes (the first byte says which), so words and
// buffers end anywhere. Small limits (64 bytes, 8 fields) in one of the two reads reach the
// size and column errors.

/// What a tokenizer made of an input: its records and how it ended.
struct Outcome: Equatable {
    var records: [[[UInt8]]] = []
    var lines: [Int] = []
    var strayQuoteLines: [Int] = []
    var error: Failure?
}

enum Failure: Equatable {
    case binaryData(line: Int)
    case unterminatedQuote(line: Int)
    case recordTooLarge(line: Int)
    case tooManyColumns(line: Int)
}

func tokenize(_ reader: ByteReader, delimiter: UInt8, maxBytes: Int, maxFields: Int) -> Outcome {
    let tokenizer = CSVTokenizer(reader: reader, delimiter: delimiter, maxRecordBytes: maxBytes, maxFields: maxFields)
    var record = CSVRecord()
    var outcome = Outcome()
    do {
        while try tokenizer.next(into: &record) {
            outcome.records.append((0..<record.count).map { record.field($0) })
            outcome.lines.append(record.line)
            for i in 0..<record.count { _ = record.string(i) ?? record.repairedString(i) }
        }
    } catch let error as ReadError {
        switch error {
        case .binaryData(_, let line): outcome.error = .binaryData(line: line)
        case .unterminatedQuote(_, let line): outcome.error = .unterminatedQuote(line: line)
        case .recordTooLarge(_, let line, _): outcome.error = .recordTooLarge(line: line)
        case .tooManyColumns(_, let line, _): outcome.error = .tooManyColumns(line: line)
        default: fatalError("unexpected error \(error)")
        }
    } catch {
        fatalError("unexpected error \(error)")
    }
    outcome.strayQuoteLines = tokenizer.strayQuoteLines
    return outcome
}

/// RFC 4180 as the tokenizer reads it, one byte at a time: the size checked after every byte.
func reference(_ b: [UInt8], delimiter d: UInt8, maxBytes: Int, maxFields: Int) -> Outcome {
    let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
    var out = Outcome()
    var p = 0
    var line = 1
    func peek() -> UInt8? { p < b.count ? b[p] : nil }
    while p < b.count {
        let start = line
        var fields: [[UInt8]] = []
        var size = 0
        func add(_ byte: UInt8, to field: inout [UInt8]) -> Bool {
            field.append(byte)
            size += 1
            return size <= maxBytes
        }
        fieldLoop: while true {
            if fields.count >= maxFields { out.error = .tooManyColumns(line: start); return out }
            var field: [UInt8] = []
            if p < b.count, b[p] == quote {
                p += 1
                let opened = line
                while true {
                    guard p < b.count else { out.error = .unterminatedQuote(line: opened); return out }
                    let c = b[p]
                    p += 1
                    if c == quote {
                        if peek() != quote { break }
                        p += 1
                    } else if c == 0 {
                        out.error = .binaryData(line: line)
                        return out
                    } else if c == lf {
                        line += 1
                    }
                    if !add(c, to: &field) { out.error = .recordTooLarge(line: start); return out }
                }
                while let c = peek(), c != d, c != lf, c != cr {
                    if out.strayQuoteLines.last != line { out.strayQuoteLines.append(line) }
                    if !add(c, to: &field) { out.error = .recordTooLarge(line: start); return out }
                    p += 1
                }
            } else {
                while let c = peek(), c != d, c != lf, c != cr {
                    if c == 0 { out.error = .binaryData(line: line); return out }
                    if !add(c, to: &field) { out.error = .recordTooLarge(line: start); return out }
                    p += 1
                }
            }
            fields.append(field)
            guard let c = peek() else { break fieldLoop }
            p += 1
            if c == d { continue fieldLoop }
            line += 1
            if c == cr, peek() == lf { p += 1 }
            break fieldLoop
        }
        out.records.append(fields)
        out.lines.append(start)
    }
    return out
}

/// Whether the tokenizer's outcome is the reference's. The tokenizer checks the size after each
/// run of bytes, not each byte, so where the reference finds the record too large it may first
/// reach a NUL further on in the same run, or the end of the input inside the quotes after a
/// doubled quote, and its stray-quote lines may go further.
func agrees(_ found: Outcome, _ expected: Outcome) -> Bool {
    if case .recordTooLarge = expected.error {
        switch found.error {
        case .recordTooLarge, .binaryData, .unterminatedQuote: break
        default: return false
        }
        return found.records == expected.records && found.lines == expected.lines
            && found.strayQuoteLines.starts(with: expected.strayQuoteLines)
    }
    return found == expected
}

let file = NSTemporaryDirectory() + "fuzz-csv-\(getpid()).csv"

fuzz { bytes in
    let input = Array(bytes)
    let capacity = Int((input.first ?? 0) % 16) + 1
    FileManager.default.createFile(atPath: file, contents: Data(input))
    for delimiter: UInt8 in [0x2C, 0x3B, 0x09] {
        for (maxBytes, maxFields) in [(1 << 16, 512), (64, 8)] {
            let expected = reference(input, delimiter: delimiter, maxBytes: maxBytes, maxFields: maxFields)
            let whole = tokenize(ByteReader(bytes: input, path: "fuzz.csv"), delimiter: delimiter, maxBytes: maxBytes, maxFields: maxFields)
            if !agrees(whole, expected) { fatalError("read whole: \(whole) but one byte at a time: \(expected)") }
            let stream = try! ByteStream(path: file, chunkSize: capacity, binary: true)
            let buffered = tokenize(try! ByteReader(stream: stream, capacity: capacity, skipBOM: false), delimiter: delimiter, maxBytes: maxBytes, maxFields: maxFields)
            if !agrees(buffered, expected) {
                fatalError("read in \(capacity)-byte buffers: \(buffered) but one byte at a time: \(expected)")
            }
        }
    }
}
