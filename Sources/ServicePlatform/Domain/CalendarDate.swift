import Foundation

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
              let y = Int(String(decoding: chars[0..<4], as: UTF8.self)),
              let m = Int(String(decoding: chars[5..<7], as: UTF8.self)),
              let d = Int(String(decoding: chars[8..<10], as: UTF8.self))
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Today in Europe/Copenhagen: the day a deletion takes effect.
    package static func today(in timeZone: TimeZone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt, now: Date = Date()) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
    }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    package var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    package static func < (a: Self, b: Self) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}
