import Foundation

/// The id the platform gives each call: in the receipt, the audit record and every log line.
package struct TransactionID: Hashable, Sendable, CustomStringConvertible {
    package let uuid: UUID
    package init(_ uuid: UUID = UUID()) { self.uuid = uuid }
    package var description: String { uuid.uuidString.lowercased() }
}
