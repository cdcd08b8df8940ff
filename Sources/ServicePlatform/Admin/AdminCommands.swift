import Foundation
import SwiftASN1
import X509

/// What administrators may change, validated before anything is written, each change one
/// transaction, and the registry snapshot refreshed after it so the next call sees it.
package struct AdminCommands: Sendable {
    private let store: any PlatformStore
    private let registry: Registry
    private let municipalities: MunicipalityDirectory
    private let services: Set<String>

    package init(store: any PlatformStore, registry: Registry, municipalities: MunicipalityDirectory, services: Set<String>) {
        self.store = store
        self.registry = registry
        self.municipalities = municipalities
        self.services = services
    }

    /// Registers a system with its first certificate; returns its id.
    package func registerSystem(name: String, certificatePEM: String, id: String? = nil) async throws(AdminError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw AdminError(.badRequest, "name must be 1 to 200 characters") }
        let id = id ?? UUID().uuidString.lowercased()
        let certificate = try Self.certificateRecord(pem: certificatePEM, systemID: id)
        try await write { try await store.createSystem(SystemRecord(id: id, name: trimmed), certificate: certificate) }
        return id
    }

    /// Adds a certificate to a system (rollover).
    package func addCertificate(systemID: String, certificatePEM: String) async throws(AdminError) -> String {
        let certificate = try Self.certificateRecord(pem: certificatePEM, systemID: systemID)
        try await write { try await store.addCertificate(certificate) }
        return certificate.sha256
    }

    package func setActive(systemID: String, active: Bool) async throws(AdminError) {
        try await write { try await store.setSystemActive(systemID, active: active) }
    }

    package func addVisibilityGroup(systemID: String, group: String) async throws(AdminError) {
        guard !group.isEmpty, group.count <= 64, group.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw AdminError(.badRequest, "group must be 1 to 64 letters, digits, '_' or '-'")
        }
        try await write { try await store.addVisibilityGroup(systemID: systemID, group: group) }
    }

    /// Retires a certificate (after a rollover, or because it leaked): calls with it are refused
    /// from the next call on, as the registry snapshot is reloaded.
    package func removeCertificate(systemID: String, sha256: String) async throws(AdminError) {
        try await write { try await store.removeCertificate(systemID: systemID, sha256: sha256.lowercased()) }
    }

    package func removeVisibilityGroup(systemID: String, group: String) async throws(AdminError) {
        try await write { try await store.removeVisibilityGroup(systemID: systemID, group: group) }
    }

    /// Requests an agreement; it takes effect once approved. 409 while one for the same system,
    /// service and municipality is requested or approved (a revoked one may be requested again).
    package func requestAgreement(systemID: String, service: String, municipalityCVR: String) async throws(AdminError) -> AgreementRecord {
        guard services.contains(service) else { throw AdminError(.badRequest, "unknown service \(service)") }
        guard let cvr = MunicipalityCVR(municipalityCVR), municipalities.municipality(cvr: cvr) != nil else {
            throw AdminError(.badRequest, "municipalityCvr is not the CVR of a municipality")
        }
        // One live agreement per (system, service, municipality): with two, revoking "the"
        // agreement would leave the other approved, and the access with it.
        if let live = try await contents().agreements.first(where: {
            $0.systemID == systemID && $0.service == service && $0.municipalityCVR == cvr.rawValue && $0.state != .revoked
        }) {
            throw AdminError(.conflict, "agreement \(live.id) (\(live.state.rawValue)) already covers this system, service and municipality")
        }
        let agreement = AgreementRecord(id: UUID().uuidString.lowercased(), systemID: systemID, service: service,
                                        municipalityCVR: cvr.rawValue, state: .requested)
        try await write { try await store.createAgreement(agreement) }
        return agreement
    }

    package func setAgreementState(id: String, state: AgreementRecord.State) async throws(AdminError) -> AgreementRecord {
        var result: AgreementRecord?
        try await write { result = try await store.setAgreementState(id: id, state: state) }
        guard let result else { throw AdminError(.notFound, "no agreement \(id)") }
        return result
    }

    /// Registers or changes a receiver: HTTPS endpoint, a readable trust root, known codes.
    package func putReceiver(systemID: String, endpointURL: String, trustRootPEM: String, municipalityCodes: [String]) async throws(AdminError) {
        guard let url = URL(string: endpointURL), url.scheme?.lowercased() == "https", url.host != nil else {
            throw AdminError(.badRequest, "endpointUrl must be an https:// URL")
        }
        do {
            let documents = try PEMDocument.parseMultiple(pemString: trustRootPEM)
            guard !documents.isEmpty else { throw AdminError(.badRequest, "trustRootPem holds no certificate") }
            for document in documents { _ = try Certificate(derEncoded: document.derBytes) }
        } catch let error as AdminError {
            throw error
        } catch {
            throw AdminError(.badRequest, "trustRootPem is not a PEM certificate")
        }
        guard !municipalityCodes.isEmpty else { throw AdminError(.badRequest, "municipalityCodes is empty") }
        for code in municipalityCodes {
            guard let parsed = Myndighedskode(code), municipalities.municipality(code: parsed) != nil else {
                throw AdminError(.badRequest, "\(code) is not a municipality code")
            }
        }
        guard Set(municipalityCodes).count == municipalityCodes.count else { throw AdminError(.badRequest, "municipalityCodes has duplicates") }
        try await write {
            try await store.putReceiver(ReceiverRecord(systemID: systemID, endpointURL: endpointURL, trustRootPEM: trustRootPEM,
                                                       municipalityCodes: municipalityCodes.sorted()))
        }
    }

    package func audit(_ query: AuditQuery) async throws(AdminError) -> [AuditRecord] {
        do { return try await store.audit(query) } catch { throw AdminError(.badRequest, "the audit query failed") }
    }

    package func usage(_ query: UsageQuery) async throws(AdminError) -> [UsageRow] {
        do { return try await store.usage(query) } catch { throw AdminError(.badRequest, "the usage query failed") }
    }

    package func contents() async throws(AdminError) -> RegistryContents {
        do { return try await store.registryContents() } catch { throw AdminError(.badRequest, "the registry could not be read") }
    }

    /// One write, then a fresh snapshot; store refusals become 4xx.
    private func write(_ body: () async throws -> Void) async throws(AdminError) {
        do {
            try await body()
        } catch let error as StoreError {
            throw AdminError(error)
        } catch {
            throw AdminError(.conflict, "the change could not be written")
        }
        do { try await registry.reload() } catch { throw AdminError(.conflict, "the registry could not be reloaded") }
    }

    static func certificateRecord(pem: String, systemID: String) throws(AdminError) -> CertificateRecord {
        do {
            let documents = try PEMDocument.parseMultiple(pemString: pem).filter { $0.discriminator == "CERTIFICATE" }
            guard documents.count == 1 else { throw AdminError(.badRequest, "certificatePem must hold exactly one certificate") }
            let certificate = try Certificate(derEncoded: documents[0].derBytes)
            return CertificateRecord(sha256: CertificateFingerprint.sha256(documents[0].derBytes), systemID: systemID,
                                     pem: pem.trimmingCharacters(in: .whitespacesAndNewlines) + "\n",
                                     subject: certificate.subject.description, notAfter: certificate.notValidAfter)
        } catch let error as AdminError {
            throw error
        } catch {
            throw AdminError(.badRequest, "certificatePem is not a PEM certificate")
        }
    }
}
