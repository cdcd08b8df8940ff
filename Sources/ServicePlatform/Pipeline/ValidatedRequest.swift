import Crypto
import Foundation
import SOAPCodec

/// A request that passed the schema and the business rules: what routing, idempotency, audit
/// and forwarding need, and nothing they could misuse.
package struct ValidatedRequest: Sendable {
    package let operation: ServiceOperation
    /// BeskedID: the caller's message id, the idempotency key.
    package let messageID: String
    package let municipalityCode: Myndighedskode
    package let personalIdentifier: PersonalIdentifier
    /// The request element to forward (header and body as received, no context elements), as markup.
    package let forwardElement: String
    /// SHA-256 of the request's content in the service's fixed form: tells a retry from a
    /// reuse of the BeskedID.
    package let contentDigest: String
    /// The deletion date stamped into the routing header for operations that delete.
    package let deletionDate: CalendarDate?

    package init(operation: ServiceOperation, messageID: String, municipalityCode: Myndighedskode,
                 personalIdentifier: PersonalIdentifier, forwardElement: String, content: String, deletionDate: CalendarDate?) {
        self.operation = operation
        self.messageID = messageID
        self.municipalityCode = municipalityCode
        self.personalIdentifier = personalIdentifier
        self.forwardElement = forwardElement
        self.deletionDate = deletionDate
        self.contentDigest = Hex.encode(SHA256.hash(data: Array(content.utf8)))
    }
}
