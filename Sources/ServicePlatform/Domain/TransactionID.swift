import Foundation
import SOAPCodec

/// The id the platform gives each call: in the receipt, the audit record and every log line.
package struct TransactionID: Hashable, Sendable, CustomStringConvertible {
    package let uuid: UUID
    /// Lowercase, hyphenated; written once (Foundation formats a UUID with snprintf per byte,
    /// and a call writes its id several times).
    package let description: String

    package init(_ uuid: UUID = .random()) {
        self.uuid = uuid
        description = Self.text(of: uuid)
    }

    static func text(of uuid: UUID) -> String {
        let hex = withUnsafeBytes(of: uuid.uuid) { Hex.encode($0) }
        var text = hex.utf8.map { $0 }
        for offset in [20, 16, 12, 8] { text.insert(UInt8(ascii: "-"), at: offset) }
        return String(decoding: text, as: UTF8.self)
    }

    package static func == (a: TransactionID, b: TransactionID) -> Bool { a.uuid == b.uuid }
    package func hash(into hasher: inout Hasher) { hasher.combine(uuid) }
}
