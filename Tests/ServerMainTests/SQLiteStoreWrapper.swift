import ServicePlatform

/// A test store in front of a real SQLite store: every operation it does not implement itself
/// goes on to `inner`, so a test double states only what it changes.
protocol SQLiteStoreWrapper: PlatformStore {
    var inner: SQLiteStore { get }
}

extension SQLiteStoreWrapper {
    func registryContents() async throws -> RegistryContents { try await inner.registryContents() }
    func createSystem(_ system: SystemRecord, certificate: CertificateRecord?) async throws { try await inner.createSystem(system, certificate: certificate) }
    func addCertificate(_ certificate: CertificateRecord) async throws { try await inner.addCertificate(certificate) }
    func setSystemActive(_ systemID: String, active: Bool) async throws { try await inner.setSystemActive(systemID, active: active) }
    func addVisibilityGroup(systemID: String, group: String) async throws { try await inner.addVisibilityGroup(systemID: systemID, group: group) }
    func removeCertificate(systemID: String, sha256: String) async throws { try await inner.removeCertificate(systemID: systemID, sha256: sha256) }
    func removeVisibilityGroup(systemID: String, group: String) async throws { try await inner.removeVisibilityGroup(systemID: systemID, group: group) }
    func createAgreement(_ agreement: AgreementRecord) async throws { try await inner.createAgreement(agreement) }
    func setAgreementState(id: String, state: AgreementRecord.State) async throws -> AgreementRecord {
        try await inner.setAgreementState(id: id, state: state)
    }
    func putReceiver(_ receiver: ReceiverRecord) async throws { try await inner.putReceiver(receiver) }
    func storedReceipt(callerSystem: String, beskedID: String) async throws -> StoredReceipt? {
        try await inner.storedReceipt(callerSystem: callerSystem, beskedID: beskedID)
    }
    func appendAudit(_ records: [AuditRecord], receipts: [StoredReceipt]) throws { try inner.appendAudit(records, receipts: receipts) }
    func audit(_ query: AuditQuery) async throws -> [AuditRecord] { try await inner.audit(query) }
    func auditCount() async throws -> Int { try await inner.auditCount() }
    func usage(_ query: UsageQuery) async throws -> [UsageRow] { try await inner.usage(query) }
}
