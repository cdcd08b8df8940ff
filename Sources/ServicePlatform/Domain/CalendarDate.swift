import Foundation
import Synchronization

/// A calendar date (xs:date without zone), compared field by field; no time-zone arithmetic.
package struct CalendarDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let year: Int
    package let month: Int
    package let day: Int

    package init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, optionally followed by a zone (`Z`, `±hh:mm`), which is ignored.
    package init?(xsDate text: String) {
        let chars = Array(text.utf8)
        guard chars.count >= 10, chars[4] == 0x2D, chars[7] == 0x2D,
              let y = Self.number(chars[0..<4]), let m = Self.number(chars[5..<7]), let d = Self.number(chars[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// ASCII digits only (no sign, no space), as xs:date writes its fields.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard digit >= 0x30 && digit <= 0x39 else { return nil }
            value = value * 10 + Int(digit - 0x30)
        }
        return value
    }

    /// Today in Europe/Copenhagen: the day a deletion takes effect.
    package static func today(in timeZone: TimeZone = copenhagen, now: Date = Date()) -> CalendarDate {
        if timeZone == copenhagen, let cached = currentDay.withLock({ $0 }), cached.interval.contains(now), now < cached.interval.end {
            return cached.date
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let date = CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
        if timeZone == copenhagen, let interval = calendar.dateInterval(of: .day, for: now) {
            currentDay.withLock { $0 = (interval, date) }
        }
        return date
    }

    /// The day as a span of time in `timeZone`, from its first instant to the first of the next
    /// day (23, 24 or 25 hours). In Europe/Copenhagen, the platform's business day, as for
    /// `today`: the day a caller or administrator means by a date.
    package func interval(in timeZone: TimeZone = copenhagen) -> DateInterval? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        return DateInterval(start: start, end: end)
    }

    /// A date alone (`2026-12-07`) as a time filter's bound: the first instant of that Danish
    /// day, or with `endOfDay` its last microsecond (an inclusive `to`); nil for anything else.
    package static func dayBound(_ text: String, endOfDay: Bool) -> Date? {
        guard text.utf8.count == 10, let day = CalendarDate(xsDate: text)?.interval() else { return nil }
        return endOfDay ? Date(unixMicros: day.end.unixMicros - 1) : day.start
    }

    /// A time filter's bound as the audit and usage searches read it: an ISO 8601 time with a
    /// zone, or a date alone (`dayBound`); nil for anything else.
    package static func filterBound(_ text: String, endOfDay: Bool) -> Date? {
        (try? Date(text, strategy: .iso8601)) ?? dayBound(text, endOfDay: endOfDay)
    }

    /// The platform's zone, looked up once.
    package static let copenhagen = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt
    /// The Copenhagen day last asked for: every call asks, and a calendar costs tens of µs.
    private static let currentDay = Mutex<(interval: DateInterval, date: CalendarDate)?>(nil)

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    package var description: String {
        if (0...9999).contains(year) {
            // The usual case, written as bytes: a forwarded call writes three dates.
            var bytes: [UInt8] = [0, 0, 0, 0, 0x2D, 0, 0, 0x2D, 0, 0]
            for (offset, value, width) in [(0, year, 4), (5, month, 2), (8, day, 2)] {
                var rest = value
                for k in stride(from: offset + width - 1, through: offset, by: -1) {
                    bytes[k] = UInt8(0x30 + rest % 10)
                    rest /= 10
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }

    package static func < (a: Self, b: Self) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}
