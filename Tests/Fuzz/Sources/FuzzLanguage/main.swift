import AuditReportCore
import Foundation
import FuzzDriver

// A language file of any bytes: loading ends in a pack or a `CatalogError`; a pack that loads
// forms dates, numbers, months and labels without a crash.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-language-\(getpid()).json").path
let locales = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../Locales").standardizedFileURL

fuzz { bytes in
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    do {
        let pack = try LanguagePack.load(from: URL(fileURLWithPath: path))
        let store = try LocaleStore.load(from: locales, extraPacks: [URL(fileURLWithPath: path)])
        let l = try Localizer(store: store, language: pack.language, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        for ms in [Int64(0), 1_791_000_000_000, 253_402_300_799_000, -62_135_596_800_000] {
            _ = l.dateTime(Timestamp(milliseconds: ms))
        }
        for month in 1...12 { _ = l.monthTitle(year: 2026, month: month) }
        _ = l.number(-1_234_567)
        _ = l.decimal(3.14159, places: 2)
        _ = l.eventLabel("page.viewed")
        _ = l.string("quality.csv_zone_forced", ["files": "{zone}", "zone": "{files}"])
    } catch is CatalogError {
    } catch {
        fatalError("unexpected error \(error)")
    }
}
