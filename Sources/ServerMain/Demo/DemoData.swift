import Foundation
import ServicePlatform

/// The demo data `demo` sets up once: the caller "KY demo" with its certificate, MONOPOLBRUD,
/// approved agreements for the demo municipalities, and the demo jobcenter as their receiver.
/// Run again on every start, it only refreshes the receiver's endpoint (its port may change).
enum DemoData {
    static let callerID = "ky-demo"

    static func ensure(store: any PlatformStore, registry: Registry, commands: AdminCommands, municipalities: MunicipalityDirectory,
                       pki: ExttestPKI, jobcenterEndpoint: String, service: String) async throws {
        let contents = try await store.registryContents()
        if !contents.systems.contains(where: { $0.id == callerID }) {
            _ = try await commands.registerSystem(name: "KY demo", certificatePEM: pki.demoCaller.certificatePEM, id: callerID)
            try await commands.addVisibilityGroup(systemID: callerID, group: AgreementPolicy.monopolbrud)
            for code in DemoJobcenter.municipalityCodes {
                guard let municipality = Myndighedskode(code).flatMap(municipalities.municipality(code:)) else { continue }
                let agreement = try await commands.requestAgreement(systemID: callerID, service: service, municipalityCVR: municipality.cvr.rawValue)
                _ = try await commands.setAgreementState(id: agreement.id, state: .approved)
            }
        }
        if !contents.systems.contains(where: { $0.id == DemoJobcenter.systemID }) {
            _ = try await commands.registerSystem(name: DemoJobcenter.name, certificatePEM: pki.jobcenterServer.certificatePEM,
                                                  id: DemoJobcenter.systemID)
        }
        try await commands.putReceiver(systemID: DemoJobcenter.systemID, endpointURL: jobcenterEndpoint,
                                       trustRootPEM: pki.ca.certificatePEM, municipalityCodes: DemoJobcenter.municipalityCodes)
    }
}
