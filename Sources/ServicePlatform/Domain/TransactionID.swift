import Foundation

/// The id the platform gives each call: in the receipt, the audit record and every log line.
package struct TransactionID: Hashable, Sendable, CustomStringConvertible {
    package let uuid: UUID
    /// Lowercase, hyphenated; written once (Foundation formats a UUID with snprintf per byte,
    /// and a call writes its id several times).
    package let description: String

    /// A new id is time-ordered (`UUID.timeOrdered`), so the audit's index on it appends.
    package init(_ uuid: UUID = .timeOrdered()) {
        self.uuid = uuid
        description = uuid.lowercasedText
    }

    package static func == (a: TransactionID, b: TransactionID) -> Bool { a.uuid == b.uuid }
    package func hash(into hasher: inout Hasher) { hasher.combine(uuid) }
}
