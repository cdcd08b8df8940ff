import Foundation

/// A system registered on the platform: a caller (anvendersystem), a receiver, or both.
package struct SystemRecord: Sendable, Equatable, Codable {
    package var id: String
    package var name: String
    package var active: Bool
    package var createdAt: Date

    package init(id: String, name: String, active: Bool = true, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.active = active
        self.createdAt = createdAt
    }
}

/// One certificate of a system; several during rollover. Identified by the SHA-256 of its DER.
package struct CertificateRecord: Sendable, Equatable, Codable {
    package var sha256: String
    package var systemID: String
    package var pem: String
    package var subject: String
    package var notAfter: Date

    package init(sha256: String, systemID: String, pem: String, subject: String, notAfter: Date) {
        self.sha256 = sha256
        self.systemID = systemID
        self.pem = pem
        self.subject = subject
        self.notAfter = notAfter
    }
}

/// A service agreement (serviceaftale) for (system, service, municipality CVR).
package struct AgreementRecord: Sendable, Equatable, Codable {
    package enum State: String, Sendable, Codable, CaseIterable {
        case requested, approved, revoked
    }

    package var id: String
    package var systemID: String
    package var service: String
    package var municipalityCVR: String
    package var state: State
    package var updatedAt: Date

    package init(id: String, systemID: String, service: String, municipalityCVR: String, state: State, updatedAt: Date = Date()) {
        self.id = id
        self.systemID = systemID
        self.service = service
        self.municipalityCVR = municipalityCVR
        self.state = state
        self.updatedAt = updatedAt
    }
}

/// A jobcenter system registered as receiver, with the municipality codes it serves.
package struct ReceiverRecord: Sendable, Equatable, Codable {
    package var systemID: String
    package var endpointURL: String
    package var trustRootPEM: String
    package var municipalityCodes: [String]

    package init(systemID: String, endpointURL: String, trustRootPEM: String, municipalityCodes: [String]) {
        self.systemID = systemID
        self.endpointURL = endpointURL
        self.trustRootPEM = trustRootPEM
        self.municipalityCodes = municipalityCodes
    }
}

/// Everything the hot path needs of the registry, read in one go.
package struct RegistryContents: Sendable {
    package var systems: [SystemRecord]
    package var certificates: [CertificateRecord]
    package var visibilityGroups: [(systemID: String, group: String)]
    package var agreements: [AgreementRecord]
    package var receivers: [ReceiverRecord]
    /// The store's registry version read in the same transaction as the rows, where several
    /// instances share the store (`RegistryFollower` compares it); nil otherwise.
    package var version: Int64?

    package init(systems: [SystemRecord] = [], certificates: [CertificateRecord] = [], visibilityGroups: [(systemID: String, group: String)] = [],
                 agreements: [AgreementRecord] = [], receivers: [ReceiverRecord] = []) {
        self.systems = systems
        self.certificates = certificates
        self.visibilityGroups = visibilityGroups
        self.agreements = agreements
        self.receivers = receivers
    }
}
