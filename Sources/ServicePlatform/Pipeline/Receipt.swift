import Foundation

/// The synchronous business receipt (kvittering) handed back to the caller.
package struct Receipt: Sendable, Equatable {
    package enum Status: String, Sendable {
        case received = "Modtaget"
        case rejected = "Afvist"
    }

    package struct BusinessError: Sendable, Equatable {
        package let code: String
        package let text: String
        package init(code: String, text: String) { self.code = code; self.text = text }
    }

    package let messageID: String
    package let transactionID: TransactionID
    package let status: Status
    package let errors: [BusinessError]
    package let receiverSystem: String
    package let receivedAt: Date

    package init(messageID: String, transactionID: TransactionID, status: Status, errors: [BusinessError],
                 receiverSystem: String, receivedAt: Date) {
        self.messageID = messageID
        self.transactionID = transactionID
        self.status = status
        self.errors = errors
        self.receiverSystem = receiverSystem
        self.receivedAt = receivedAt
    }
}

/// A receipt as the receiver wrote it: `Status` and `Fejl` at least, the rest optional.
package struct ReceiverReceipt: Sendable, Equatable {
    package let status: Receipt.Status
    package let errors: [Receipt.BusinessError]
    package let messageID: String?
    package let transactionID: String?
    package let receiverSystem: String?
    package let receivedAt: Date?

    package init(status: Receipt.Status, errors: [Receipt.BusinessError], messageID: String? = nil,
                 transactionID: String? = nil, receiverSystem: String? = nil, receivedAt: Date? = nil) {
        self.status = status
        self.errors = errors
        self.messageID = messageID
        self.transactionID = transactionID
        self.receiverSystem = receiverSystem
        self.receivedAt = receivedAt
    }

    /// Fills in what the receiver left out, as the contract says the platform does.
    package func completed(messageID: String, transactionID: TransactionID, receiverSystem: String, now: Date) -> Receipt {
        Receipt(messageID: messageID, transactionID: transactionID, status: status, errors: errors,
                receiverSystem: self.receiverSystem ?? receiverSystem, receivedAt: receivedAt ?? now)
    }
}
