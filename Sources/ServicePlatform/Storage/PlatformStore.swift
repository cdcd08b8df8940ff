import Foundation

/// Why a store operation was refused: each is a 4xx for the admin API, never a half-write.
package enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case conflict(String)
    case invalid(String)

    package var description: String {
        switch self {
        case .notFound(let s), .conflict(let s), .invalid(let s): s
        }
    }
}

/// The platform's persistent state behind one interface: SQLite (GRDB) is the embedded
/// default, PostgreSQL (`PostgresStore`) the one several instances share; routing and admin
/// code see only this.
package protocol PlatformStore: Sendable {
    // Registry
    func registryContents() async throws -> RegistryContents
    func createSystem(_ system: SystemRecord, certificate: CertificateRecord?) async throws
    func addCertificate(_ certificate: CertificateRecord) async throws
    func setSystemActive(_ systemID: String, active: Bool) async throws
    func addVisibilityGroup(systemID: String, group: String) async throws
    /// Takes a certificate from its system (retired after a rollover, or compromised).
    func removeCertificate(systemID: String, sha256: String) async throws
    func removeVisibilityGroup(systemID: String, group: String) async throws
    func createAgreement(_ agreement: AgreementRecord) async throws
    func setAgreementState(id: String, state: AgreementRecord.State) async throws -> AgreementRecord
    func putReceiver(_ receiver: ReceiverRecord) async throws

    // Idempotency
    func storedReceipt(callerSystem: String, beskedID: String) async throws -> StoredReceipt?

    // Audit
    /// Appends audit records and the receipts kept for replay in one transaction, durable
    /// (fsync'd) when it returns: one commit serves many calls (group commit). Blocking: only
    /// the audit log's own writer thread calls it, so a commit follows the last with no hop.
    func appendAudit(_ records: [AuditRecord], receipts: [StoredReceipt]) throws
    func audit(_ query: AuditQuery) async throws -> [AuditRecord]
    func auditCount() async throws -> Int
    /// Calls counted per caller, `AccountingInfo`, operation and outcome: usage accounting.
    func usage(_ query: UsageQuery) async throws -> [UsageRow]
}
