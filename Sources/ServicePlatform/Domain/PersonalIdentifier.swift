/// A CPR number. Its descriptions are redacted so that string interpolation into a log line
/// or an error cannot leak it; the digits are reachable only through `withDigits`.
package struct PersonalIdentifier: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let digits: String

    package init(digits: String) { self.digits = digits }

    package var description: String { "CPR(redacted)" }
    package var debugDescription: String { "CPR(redacted)" }

    /// Hands out the digits for the few places that must see them (forwarding, keyed hashing).
    package func withDigits<T>(_ body: (String) throws -> T) rethrows -> T { try body(digits) }
}
