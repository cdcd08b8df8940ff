import Foundation

/// xs:dateTime read and written by hand. Foundation's ISO 8601 styles cost ~7 000 instructions
/// a call on the hot path (a receipt's ModtagetTidspunkt read, then written into the answer),
/// and they refuse a time without a zone, which the schema admits and a valid receipt may carry:
/// `2026-11-29T03:37:42Z`, `2026-11-29T04:37:42.1234567+01:00` (as .NET writes it) and
/// `2026-11-29T04:37:42` are all read.
package enum XSDateTime {
    /// The instant `text` names (surrounding XML whitespace ignored); nil unless it is an
    /// xs:dateTime with a four-digit year. `24:00:00` is the next day's midnight, as XSD 1.0
    /// says. A time without a zone is Danish local time: every system on the platform is in
    /// Denmark, and a receiver that leaves the zone out means its own clock. `requiringZone`
    /// refuses it instead, for SAML and WS-Security, whose times must be UTC.
    package static func parse(_ text: some StringProtocol, requiringZone: Bool = false) -> Date? {
        let bytes = Array(text.utf8)
        var (start, end) = (0, bytes.count)
        while start < end, isXMLWhitespace(bytes[start]) { start += 1 }
        while end > start, isXMLWhitespace(bytes[end - 1]) { end -= 1 }
        // A second copy only when there was whitespace to trim.
        return parse(start == 0 && end == bytes.count ? bytes : Array(bytes[start..<end]), requiringZone: requiringZone)
    }

    /// `2026-11-29T03:37:42Z`: UTC, whole seconds (the form SAML and WS-Security require).
    package static func format(_ date: Date) -> String {
        let time = CivilTime(epochSeconds: Int(date.timeIntervalSince1970.rounded(.down)))
        guard (0...9999).contains(time.year) else { return date.formatted(.iso8601) }
        var bytes: [UInt8] = Array("0000-00-00T00:00:00Z".utf8)
        for (value, at, count) in [(time.year, 0, 4), (time.month, 5, 2), (time.day, 8, 2),
                                   (time.hour, 11, 2), (time.minute, 14, 2), (time.second, 17, 2)] {
            var rest = value
            for i in stride(from: at + count - 1, through: at, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func parse(_ b: [UInt8], requiringZone: Bool) -> Date? {
        // yyyy-mm-ddThh:mm:ss is 19 bytes; what follows is an optional fraction and zone.
        guard b.count >= 19 else { return nil }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
              let hour = number(b, 11, 2), let minute = number(b, 14, 2), let second = number(b, 17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), (1...CivilTime.daysIn(month: month, year: year)).contains(day),
              hour < 24 || (hour == 24 && minute == 0 && second == 0), minute < 60, second < 60 else { return nil }
        var at = 19
        var fraction = 0.0
        if at < b.count, b[at] == UInt8(ascii: ".") {
            at += 1
            var scale = 0.1
            let start = at
            while at < b.count, let digit = digit(b[at]) {
                fraction += Double(digit) * scale
                scale /= 10
                at += 1
            }
            guard at > start else { return nil }
            if hour == 24, fraction > 0 { return nil }
        }
        let local = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).epochSeconds
        if at == b.count { return requiringZone ? nil : danishLocalTime(local, fraction: fraction) }
        var offset = 0
        if b[at] == UInt8(ascii: "Z") {
            at += 1
        } else {
            guard b.count - at == 6, b[at] == UInt8(ascii: "+") || b[at] == UInt8(ascii: "-"), b[at + 3] == UInt8(ascii: ":"),
                  let hours = number(b, at + 1, 2), let minutes = number(b, at + 4, 2),
                  minutes < 60, hours < 14 || (hours == 14 && minutes == 0) else { return nil }
            offset = (hours * 60 + minutes) * 60 * (b[at] == UInt8(ascii: "-") ? -1 : 1)
            at += 6
        }
        guard at == b.count else { return nil }
        return Date(timeIntervalSince1970: Double(local - offset) + fraction)
    }

    /// A wall-clock time in Europe/Copenhagen (the rare form, so Foundation's zone rules are fine).
    private static func danishLocalTime(_ wallSeconds: Int, fraction: Double) -> Date? {
        guard let zone = TimeZone(identifier: "Europe/Copenhagen") else { return nil }
        // The zone's offset at the wall time read as UTC, then at the instant that gives: right
        // everywhere but inside the hour a clock change skips or repeats.
        let guess = Date(timeIntervalSince1970: Double(wallSeconds))
        let first = zone.secondsFromGMT(for: guess)
        let offset = zone.secondsFromGMT(for: guess.addingTimeInterval(Double(-first)))
        return Date(timeIntervalSince1970: Double(wallSeconds - offset) + fraction)
    }

    private static func number(_ b: [UInt8], _ at: Int, _ count: Int) -> Int? {
        var value = 0
        for i in at..<(at + count) {
            guard let digit = digit(b[i]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func isXMLWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

/// A UTC calendar date and time of day, to and from seconds since 1970 (proleptic Gregorian,
/// Howard Hinnant's days-from-civil and its inverse): the arithmetic behind `XSDateTime` and
/// the HTTP `Date` header.
package struct CivilTime: Equatable, Sendable {
    package let year: Int
    package let month: Int
    package let day: Int
    package let hour: Int
    package let minute: Int
    package let second: Int

    package init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    package init(epochSeconds: Int) {
        let days = Self.floorDiv(epochSeconds, 86_400)
        let secondOfDay = epochSeconds - days * 86_400
        let z = days + 719_468
        let era = Self.floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: dayOfYear - (153 * mp + 2) / 5 + 1,
                  hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    /// Days since 1970-01-01, 0 on a Thursday.
    package var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = Self.floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    package var epochSeconds: Int { daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second }

    /// 0 for Sunday.
    package var weekday: Int { (daysSinceEpoch % 7 + 11) % 7 }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }
}
