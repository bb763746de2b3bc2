import Foundation
import Testing

@testable import AuditReportCore

@Suite struct WaitLedgerTests {
    /// Each queue side's waits are added up under its name, the longest first, with the number of
    /// waits; a thread's CPU time is listed when it ends, and the asking thread's last. Off,
    /// nothing is counted.
    @Test func waitsAddUpPerNameLongestFirst() {
        let ledger = WaitLedger(enabled: true)
        for _ in 0..<2 {
            let start = ledger.now()
            usleep(20_000)
            ledger.add("reader waits for the merge", since: start)
        }
        ledger.add("merge waits for reader", since: ledger.now())
        ledger.threadEnds("reader")
        let lines = ledger.summary(workbookFiles: (0, 0)).split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(lines)")
        #expect(lines[1].hasSuffix("2 waits  reader waits for the merge"), "\(lines[1])")
        #expect(Double(lines[1].split(separator: " ")[0]).map { $0 >= 0.04 } == true, "\(lines[1])")
        #expect(lines[2].hasSuffix("1 waits  merge waits for reader"), "\(lines[2])")
        #expect(lines[3] == "CPU time of threads:" && lines[4].hasSuffix("  reader") && lines[5].hasSuffix("  main (so far)"), "\(lines)")

        // With a workbook written: its temporary files' bytes, given and on disk.
        let withWorkbook = ledger.summary(workbookFiles: (9_918_600_000, 1_433_400_000)).split(separator: "\n").map(String.init)
        #expect(withWorkbook.count == 7 && withWorkbook[6] == "workbook temporary files: 9918.6 MB written as 1433.4 MB (6.9 to 1)", "\(withWorkbook)")

        let off = WaitLedger(enabled: false)
        #expect(off.now() == 0)
        off.add("reader waits for the merge", since: 0)
        off.threadEnds("reader")
        #expect(!off.summary().contains("reader"))
    }
}
