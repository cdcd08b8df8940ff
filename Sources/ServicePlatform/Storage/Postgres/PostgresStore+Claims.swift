import Foundation
import PostgresNIO

/// Idempotency across the instances sharing this database: a call claims its (caller,
/// BeskedID) and reads the stored receipt in one round trip (`claim_message`, migration
/// "v3 message claims"), the one a call without claims spends on the receipt alone. The claim
/// is deleted with the call's audit record (`append`).
extension PostgresStore: MessageClaims {
    /// Expired claims (only a crashed instance or a failed audit write leaves one) are removed
    /// at most once a minute, by whichever call comes first.
    package func claim(callerSystem: String, beskedID: String, instance: String, claimID: String,
                       lifetime: Duration) async throws -> MessageClaimAttempt {
        let lifetimeMicros = lifetime.wholeMicroseconds
        return try await bounded { [self] in
            let now = Date()
            if claimPruning.withLock({ last in
                guard now.timeIntervalSince(last) > 60 else { return false }
                last = now
                return true
            }) {
                try await client.query("""
                    DELETE FROM message_claim WHERE expires_us <= (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT
                    """, logger: logger)
            }
            let rows = try await client.query("""
                SELECT claimed, r_digest, r_operation, r_transaction, r_status, r_errors, r_receiver, r_received_at
                FROM claim_message(\(callerSystem), \(beskedID), \(instance), \(claimID), \(lifetimeMicros))
                """, logger: logger)
            for try await row in rows {
                let (claimed, digest, operation, transactionID, status, errors, receiver, received) =
                    try row.decode((Bool, String?, String?, String?, String?, String?, String?, Date?).self)
                guard let digest, let operation, let transactionID, let status, let errors, let receiver, let received else {
                    return MessageClaimAttempt(claimed: claimed, stored: nil)
                }
                return MessageClaimAttempt(claimed: claimed, stored: StoredReceipt(
                    callerSystem: callerSystem, beskedID: beskedID, contentDigest: digest, operation: operation,
                    transactionID: transactionID, status: status, errorsJSON: errors, receiverSystem: receiver, receivedAt: received))
            }
            return MessageClaimAttempt(claimed: false, stored: nil)
        }
    }
}
