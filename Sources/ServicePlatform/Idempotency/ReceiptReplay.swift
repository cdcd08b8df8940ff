import Foundation

/// Idempotency by (caller, BeskedID): the same content again gets the stored receipt and the
/// receiver is not called; other content under the same BeskedID is SP-4001. Only receipts are
/// stored, so a call that ended in a fault can be retried and is forwarded again. A repeat
/// that arrives while the first call is under way waits for its outcome: on this instance
/// through `MessagesInFlight`, on another sharing the database through `CrossInstanceClaim`.
package struct ReceiptReplay: Sendable {
    private let store: any PlatformStore
    private let inFlight: MessagesInFlight
    /// Nil for a store no other instance shares (SQLite): its calls read the receipt only.
    private let shared: CrossInstanceClaim?

    package init(store: any PlatformStore, inFlight: MessagesInFlight = MessagesInFlight(), shared: CrossInstanceClaim? = nil) {
        self.store = store
        self.inFlight = inFlight
        self.shared = shared
    }

    /// A first call, which holds its (caller, BeskedID) until its audit record and receipt
    /// are stored, or a repeat answered from the stored receipt.
    package enum Claim: Sendable {
        case first(MessagesInFlight.Lease)
        case repeated(Receipt)
    }

    /// Waits for a call with the same (caller, BeskedID) under way here (and then, with a
    /// shared store, elsewhere), then looks the pair up. `.first`'s lease must be released once
    /// the call's record is durable; the shared claim goes with that record (`MessageClaims`),
    /// so `transactionID` must be the one the record carries.
    package func claim(caller: String, request: ValidatedRequest, transactionID: TransactionID) async throws(PlatformFault) -> Claim {
        // Same-instance repeats queue here first, so only one of them polls the database.
        let lease = await inFlight.acquire(caller: caller, beskedID: request.messageID)
        do throws(PlatformFault) {
            let stored: StoredReceipt?
            if let shared {
                do { stored = try await shared.settle(caller: caller, beskedID: request.messageID, claimID: transactionID.description) } catch {
                    throw error.fault
                }
            } else {
                stored = try await lookup(caller: caller, request: request)
            }
            guard let stored else { return .first(lease) }
            let replayed = try receipt(stored, for: request)
            lease.release()
            return .repeated(replayed)
        } catch {
            lease.release()
            throw error
        }
    }

    private struct ErrorEntry: Codable { let code: String; let text: String }

    /// The stored receipt for a repeated call, nil for a first call.
    private func lookup(caller: String, request: ValidatedRequest) async throws(PlatformFault) -> StoredReceipt? {
        do { return try await store.storedReceipt(callerSystem: caller, beskedID: request.messageID) } catch {
            throw PlatformFault(.internalError, "the idempotency store could not be read")
        }
    }

    /// The receipt to replay, if the repeat has the first call's content.
    private func receipt(_ stored: StoredReceipt, for request: ValidatedRequest) throws(PlatformFault) -> Receipt {
        guard stored.contentDigest == request.contentDigest, stored.operation == request.operation.name else {
            throw PlatformFault(.messageIDReused, "BeskedID was used before with different content")
        }
        let errors = (try? JSONDecoder().decode([ErrorEntry].self, from: Data(stored.errorsJSON.utf8))) ?? []
        return Receipt(messageID: stored.beskedID, transactionID: TransactionID(UUID(uuidString: stored.transactionID) ?? UUID()),
                       status: Receipt.Status(rawValue: stored.status) ?? .received,
                       errors: errors.map { .init(code: $0.code, text: $0.text) },
                       receiverSystem: stored.receiverSystem, receivedAt: stored.receivedAt)
    }

    /// The record that keeps a receipt for replay; it is written with the call's audit record,
    /// in the same transaction, before the answer leaves.
    package func record(caller: String, request: ValidatedRequest, receipt: Receipt) -> StoredReceipt {
        let errors = receipt.errors.map { ErrorEntry(code: $0.code, text: $0.text) }
        let json = errors.isEmpty ? "[]" : (try? JSONEncoder().encode(errors)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return StoredReceipt(
            callerSystem: caller, beskedID: request.messageID, contentDigest: request.contentDigest, operation: request.operation.name,
            transactionID: receipt.transactionID.description, status: receipt.status.rawValue, errorsJSON: json,
            receiverSystem: receipt.receiverSystem, receivedAt: receipt.receivedAt)
    }
}
