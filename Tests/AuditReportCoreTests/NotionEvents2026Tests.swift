import Foundation
import Testing

@testable import AuditReportCore

/// Events shaped after Notion's 2026 documentation, generated from the reference copy: every SIEM
/// type and every published label is read without an "unmapped" warning, and an action given once
/// as a CSV label and once as a stream key is one event.
@Suite struct NotionEvents2026Tests {
    static let rows = CatalogTests.reference

    /// One stream line per SIEM key, ten seconds apart, all by one person.
    static func stream(_ keys: [String]) -> String {
        keys.enumerated().map { i, key in
            let time = Timestamp(milliseconds: (1_791_000_000 + Int64(i) * 10) * 1000)
            return #"{"event":{"id":"e-\#(i)","timestamp":"\#(time)","workspace_id":"ws","actor":{"id":"u-1","object":"user","type":"person","person":{"email":"a@x.de"}},"type":"\#(key)","details":{}}}"#
        }.joined(separator: "\n") + "\n"
    }

    static func csvRow(_ i: Int, _ label: String) -> String {
        let time = Timestamp(milliseconds: (1_791_000_000 + Int64(i) * 10) * 1000)
        return "\(time),\"\(label.replacingOccurrences(of: "\"", with: "\"\""))\",a@x.de\n"
    }

    @Test func everySIEMTypeIsReadWithoutAWarning() throws {
        let keys = CatalogTests.siemKeys
        let read = try TestSupport.read("stream.jsonl", Self.stream(keys))
        #expect(read.events.count == 240)
        #expect(read.diagnostics == [])
        #expect(read.events.map(\.key) == keys)
    }

    @Test(arguments: ["en", "de"])
    func everyPublishedLabelIsReadWithoutAWarning(_ language: String) throws {
        var text = "Date,Event,Email\n"
        var count = 0
        for row in Self.rows {
            for label in language == "en" ? [row.en] + row.enAlt : row.deAll where !label.isEmpty {
                text += Self.csvRow(count, label)
                count += 1
            }
        }
        let read = try TestSupport.read("export.csv", text)
        #expect(count > (language == "en" ? 400 : 130))
        #expect(read.events.count == count)
        #expect(read.diagnostics.map(\.description) == [])
        #expect(read.events.allSatisfy { TestSupport.store.catalog.entry($0.key) != nil })
    }

    /// For every H and M pairing: the CSV label (English and, where published, German) and the
    /// stream key at the same second by the same person merge into one event with the stream's key.
    @Test(arguments: ["en", "de"])
    func everyPairingMergesIntoOneEvent(_ language: String) throws {
        let paired = Self.rows.filter { ["H", "M"].contains($0.pairing) && $0.inSIEM == "yes" && !(language == "en" ? $0.en : $0.de).isEmpty }
        #expect(paired.count > (language == "en" ? 230 : 80))
        let stream = TestSupport.file("stream.jsonl", Self.stream(paired.map(\.key)))
        var text = "Date,Event,Email\n"
        for (i, row) in paired.enumerated() { text += Self.csvRow(i, language == "en" ? row.en : row.de) }
        let export = TestSupport.file("export.csv", text)
        let diagnostics = DiagnosticsEngine()
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: [export, stream]), diagnostics: diagnostics)
        try pipeline.read()
        var merged: [AuditEvent] = []
        try pipeline.emit { merged.append($0) }
        #expect(diagnostics.diagnostics.map(\.description) == [])
        #expect(merged.count == paired.count)
        #expect(pipeline.duplicatesDropped == paired.count)
        #expect(Set(merged.map(\.key)) == Set(paired.map(\.key)))
        #expect(merged.allSatisfy { !$0.id.isEmpty })
    }

    @Test func pageLockedFromTheExportAndTheStreamIsOneEvent() throws {
        // Three actions: locked (CSV label and stream), unlocked (stream only), locked (CSV only).
        let stream = TestSupport.file("s.jsonl", Self.stream(["page.locked", "page.unlocked"]))
        let export = TestSupport.file("e.csv", "Date,Event,Email\n" + Self.csvRow(0, "Page lock status changed") + Self.csvRow(5, "Page locked"))
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: [export, stream]), diagnostics: DiagnosticsEngine())
        try pipeline.read()
        var merged: [AuditEvent] = []
        try pipeline.emit { merged.append($0) }
        #expect(merged.map(\.key).sorted() == ["page.locked", "page.locked", "page.unlocked"])
    }

    @Test func twoMembersOfOneGroupNeverMerge() throws {
        // The stream says locked; the export, at the same second, says unlocked: two actions.
        let stream = TestSupport.file("s.jsonl", Self.stream(["page.locked"]))
        let export = TestSupport.file("e.csv", "Date,Event,Email\n" + Self.csvRow(0, "Page unlocked"))
        let pipeline = EventPipeline(store: TestSupport.store, options: .init(inputs: [export, stream]), diagnostics: DiagnosticsEngine())
        try pipeline.read()
        var merged: [AuditEvent] = []
        try pipeline.emit { merged.append($0) }
        #expect(merged.map(\.key).sorted() == ["page.locked", "page.unlocked"])
    }
}
