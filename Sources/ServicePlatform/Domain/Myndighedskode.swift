/// A municipality code (kommunekode): three digits, the routing key.
package struct Myndighedskode: Hashable, Sendable, CustomStringConvertible, Comparable {
    package let rawValue: String

    package init?(_ text: String) {
        guard text.utf8.count == 3, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        rawValue = text
    }

    package var description: String { rawValue }
    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
