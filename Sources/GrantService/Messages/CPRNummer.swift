import ServicePlatform

/// A CPR number: ten digits whose first six are a date DDMMYY (no modulus-11 check, as the
/// contract says). It prints redacted; only `PersonalIdentifier.withDigits` reveals it.
package struct CPRNummer: Sendable, Equatable, CustomStringConvertible {
    package let identifier: PersonalIdentifier

    /// Nil unless `text` is ten digits; the date rule is a business rule checked separately.
    package init?(_ text: String) {
        guard text.utf8.count == 10, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        identifier = PersonalIdentifier(digits: text)
    }

    /// Whether DDMMYY is a calendar date in either century the two-digit year could mean.
    package var hasValidDate: Bool {
        identifier.withDigits { digits in
            let d = Array(digits.utf8).map { Int($0) - 48 }
            let day = d[0] * 10 + d[1], month = d[2] * 10 + d[3], year = d[4] * 10 + d[5]
            return CalendarDate(year: 1900 + year, month: month, day: day) != nil
                || CalendarDate(year: 2000 + year, month: month, day: day) != nil
        }
    }

    package var description: String { identifier.description }
}
