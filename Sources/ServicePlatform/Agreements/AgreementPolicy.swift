/// Whether a system may call a service for a municipality: an approved service agreement for
/// (system, service, CVR), and membership of the service's visibility group (SP-2002).
package struct AgreementPolicy: Sendable {
    /// The visibility group the contract requires for JC/Kontanthjaelp/2.
    package static let monopolbrud = "MONOPOLBRUD"

    package let service: String
    package let visibilityGroup: String

    package init(service: String, visibilityGroup: String = AgreementPolicy.monopolbrud) {
        self.service = service
        self.visibilityGroup = visibilityGroup
    }

    package func check(systemID: String, cvr: MunicipalityCVR, in snapshot: RegistrySnapshot) throws(PlatformFault) {
        switch snapshot.agreementState(systemID: systemID, service: service, cvr: cvr) {
        case .approved?:
            break
        case .requested?:
            throw PlatformFault(.notAuthorized, "the service agreement for this municipality is requested but not approved")
        case .revoked?:
            throw PlatformFault(.notAuthorized, "the service agreement for this municipality is revoked")
        case nil:
            throw PlatformFault(.notAuthorized, "the system has no service agreement for this municipality")
        }
        guard snapshot.isMember(systemID, of: visibilityGroup) else {
            throw PlatformFault(.notAuthorized, "the system is not in the visibility group \(visibilityGroup)")
        }
    }
}
