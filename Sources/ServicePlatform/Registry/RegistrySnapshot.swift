/// An immutable, indexed copy of the registry: what the hot path reads, with no database
/// access per call. A new snapshot replaces the old one after every admin change.
package struct RegistrySnapshot: Sendable {
    package struct AgreementKey: Hashable, Sendable {
        package let systemID: String
        package let service: String
        package let cvr: String
    }

    package let systemsByID: [String: SystemRecord]
    package let systemByFingerprint: [String: SystemRecord]
    package let groupsBySystem: [String: Set<String>]
    package let agreementStates: [AgreementKey: AgreementRecord.State]
    package let receiversByCode: [Myndighedskode: Receiver]

    package init(_ contents: RegistryContents) {
        let systems = Dictionary(contents.systems.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        systemsByID = systems
        var byFingerprint: [String: SystemRecord] = [:]
        for certificate in contents.certificates {
            if let system = systems[certificate.systemID] { byFingerprint[certificate.sha256] = system }
        }
        systemByFingerprint = byFingerprint
        var groups: [String: Set<String>] = [:]
        for entry in contents.visibilityGroups { groups[entry.systemID, default: []].insert(entry.group) }
        groupsBySystem = groups
        var states: [AgreementKey: AgreementRecord.State] = [:]
        // An approved agreement wins over a requested or revoked one for the same key.
        for agreement in contents.agreements {
            let key = AgreementKey(systemID: agreement.systemID, service: agreement.service, cvr: agreement.municipalityCVR)
            if states[key] != .approved { states[key] = agreement.state }
        }
        agreementStates = states
        var receivers: [Myndighedskode: Receiver] = [:]
        for record in contents.receivers {
            let codes = Set(record.municipalityCodes.compactMap(Myndighedskode.init))
            let receiver = Receiver(systemID: record.systemID, name: systems[record.systemID]?.name ?? record.systemID,
                                    endpoint: record.endpointURL, municipalityCodes: codes, trustRootPEM: record.trustRootPEM)
            for code in codes { receivers[code] = receiver }
        }
        receiversByCode = receivers
    }

    package func agreementState(systemID: String, service: String, cvr: MunicipalityCVR) -> AgreementRecord.State? {
        agreementStates[AgreementKey(systemID: systemID, service: service, cvr: cvr.rawValue)]
    }

    package func isMember(_ systemID: String, of group: String) -> Bool {
        groupsBySystem[systemID]?.contains(group) ?? false
    }
}
