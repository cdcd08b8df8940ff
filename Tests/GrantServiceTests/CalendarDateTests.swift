import ServicePlatform
import Testing

@Suite("CalendarDate (xs:date)")
struct CalendarDateTests {
    @Test("written as YYYY-MM-DD, zero padded; a year past 9999 keeps its digits")
    func written() throws {
        #expect(try #require(CalendarDate(year: 2026, month: 1, day: 5)).description == "2026-01-05")
        #expect(try #require(CalendarDate(year: 999, month: 12, day: 31)).description == "0999-12-31")
        #expect(try #require(CalendarDate(year: 0, month: 1, day: 1)).description == "0000-01-01")
        #expect(try #require(CalendarDate(year: 12345, month: 10, day: 10)).description == "12345-10-10")
    }

    @Test("every day of a leap year reads back what it writes")
    func roundTrip() throws {
        for month in 1...12 {
            for day in 1...CalendarDate.daysIn(month: month, year: 2024) {
                let date = try #require(CalendarDate(year: 2024, month: month, day: day))
                #expect(CalendarDate(xsDate: date.description) == date)
            }
        }
    }

    @Test("read: a zone suffix is ignored; impossible dates, signs and non-digits are refused", arguments: [
        ("2024-02-29", true), ("2026-01-01Z", true), ("2026-01-01+02:00", true),
        ("2026-02-29", false), ("2026-13-01", false), ("2026-00-10", false), ("2026-01-32", false),
        ("+026-01-01", false), ("-026-01-01", false), ("2026-01-0a", false), ("2026- 1-01", false),
        ("20260101", false), ("2026-01-1", false), ("", false),
    ])
    func read(_ text: String, _ valid: Bool) {
        #expect((CalendarDate(xsDate: text) != nil) == valid)
    }
}
