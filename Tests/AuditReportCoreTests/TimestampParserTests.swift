import Testing

@testable import AuditReportCore

@Suite struct TimestampParserTests {
    static let instants: [(String, String)] = [
        ("2023-05-15T19:14:21.031Z", "2023-05-15T19:14:21.031Z"),
        ("2023-05-15T19:14:21Z", "2023-05-15T19:14:21.000Z"),
        ("2023-05-15T21:14:21.5+02:00", "2023-05-15T19:14:21.500Z"),
        ("2023-05-15T14:14:21-0500", "2023-05-15T19:14:21.000Z"),
        ("2026-06-05T19:30:00.000+00:00", "2026-06-05T19:30:00.000Z"),
        ("2023-05-15 19:14:21 UTC", "2023-05-15T19:14:21.000Z"),
        ("2023-05-15T19:14:21.123456789Z", "2023-05-15T19:14:21.123Z"),
        ("1684178061031", "2023-05-15T19:14:21.031Z"),
        ("1684178061", "2023-05-15T19:14:21.000Z"),
        ("1684178061.5", "2023-05-15T19:14:21.500Z"),
    ]

    @Test(arguments: instants)
    func instantFormsParseToUTC(_ text: String, _ expected: String) {
        guard case .instant(let t)? = TimestampParser.parse(text) else {
            Issue.record("not parsed: \(text)")
            return
        }
        #expect(t.description == expected)
    }

    static let locals: [(String, CivilDateTime)] = [
        ("2023-06-12 21:40:28.690000000", CivilDateTime(year: 2023, month: 6, day: 12, hour: 21, minute: 40, second: 28, millisecond: 690)),
        ("15.05.2023 19:14", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("15.05.2023, 19:14:05", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 5, millisecond: 0)),
        ("5.3.2023 7:04", CivilDateTime(year: 2023, month: 3, day: 5, hour: 7, minute: 4, second: 0, millisecond: 0)),
        ("15. Mai 2023 um 19:14", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("1. März 2023, 08:00 Uhr", CivilDateTime(year: 2023, month: 3, day: 1, hour: 8, minute: 0, second: 0, millisecond: 0)),
        ("May 15, 2023, 7:14 PM", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("May 15, 2023 at 12:05:09 AM", CivilDateTime(year: 2023, month: 5, day: 15, hour: 0, minute: 5, second: 9, millisecond: 0)),
        ("Oct 1, 2026, 12:30:00\u{202F}PM", CivilDateTime(year: 2026, month: 10, day: 1, hour: 12, minute: 30, second: 0, millisecond: 0)),
        ("Mon, May 15, 2023 7:14 PM", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("15 May 2023 19:14", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("2023/05/15 19:14", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("5/15/2023 7:14 PM", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("15/05/2023 19:14", CivilDateTime(year: 2023, month: 5, day: 15, hour: 19, minute: 14, second: 0, millisecond: 0)),
        ("2023-05-15", CivilDateTime(year: 2023, month: 5, day: 15, hour: 0, minute: 0, second: 0, millisecond: 0)),
    ]

    @Test(arguments: locals)
    func wallClockFormsKeepTheirFields(_ text: String, _ expected: CivilDateTime) {
        #expect(TimestampParser.parse(text) == .local(expected))
    }

    @Test(arguments: ["", "yesterday", "2023-13-01T00:00:00Z", "2023-02-30 10:00", "31.04.2023 10:00", "25:00", "2023-05-15T19:14:21+25:00", "12345", "May 40, 2023", "13:61", String(repeating: "9", count: 200)])
    func nonTimestampsAreRejected(_ text: String) {
        #expect(TimestampParser.parse(text) == nil)
    }

    @Test func civilRoundTripCoversLeapYearsAndEpochEdges() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = Timestamp.civilFromDays(days)
            #expect(Timestamp.daysFromCivil(year: y, month: m, day: d) == days)
        }
        #expect(Timestamp(year: 2024, month: 2, day: 29).civil().day == 29)
        #expect(Timestamp(milliseconds: -1).civil() == CivilDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999))
    }

    @Test func zoneResolverHandlesBothDaylightSavingChanges() {
        let zone = ZoneResolver(timeZone: TestSupport.berlin)
        // 2026-03-29: 02:00 → 03:00 (CET → CEST); 2026-10-25: 03:00 → 02:00.
        #expect(zone.instant(ofLocal: CivilDateTime(year: 2026, month: 3, day: 29, hour: 1, minute: 30, second: 0, millisecond: 0)) == TestSupport.ts("2026-03-29T00:30:00Z"))
        #expect(zone.instant(ofLocal: CivilDateTime(year: 2026, month: 3, day: 29, hour: 3, minute: 30, second: 0, millisecond: 0)) == TestSupport.ts("2026-03-29T01:30:00Z"))
        // The repeated hour resolves to its first occurrence (summer time).
        #expect(zone.instant(ofLocal: CivilDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0, millisecond: 0)) == TestSupport.ts("2026-10-25T00:30:00Z"))
        #expect(zone.civil(TestSupport.ts("2026-10-25T01:30:00Z")).hour == 2)
        #expect(zone.civil(TestSupport.ts("2026-10-24T22:00:00Z")).hour == 0)
        #expect(zone.civil(TestSupport.ts("2026-10-25T23:00:00Z")).hour == 0)
    }
}
