import Foundation

/// A receipt kept for replay under (caller, BeskedID), with the content hash that tells a
/// retry (same content) from a reuse of the BeskedID (different content, SP-4001).
package struct StoredReceipt: Sendable, Equatable, Codable {
    package var callerSystem: String
    package var beskedID: String
    package var contentDigest: String
    package var operation: String
    package var transactionID: String
    package var status: String
    /// `[{"code":…, "text":…}]`
    package var errorsJSON: String
    package var receiverSystem: String
    package var receivedAt: Date

    package init(callerSystem: String, beskedID: String, contentDigest: String, operation: String, transactionID: String,
                 status: String, errorsJSON: String, receiverSystem: String, receivedAt: Date) {
        self.callerSystem = callerSystem
        self.beskedID = beskedID
        self.contentDigest = contentDigest
        self.operation = operation
        self.transactionID = transactionID
        self.status = status
        self.errorsJSON = errorsJSON
        self.receiverSystem = receiverSystem
        self.receivedAt = receivedAt
    }
}
