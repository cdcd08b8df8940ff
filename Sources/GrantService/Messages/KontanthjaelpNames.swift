import SOAPCodec
import ServicePlatform

/// The names of JC/Kontanthjaelp/2 on the wire, as the contract fixes them.
package enum Kontanthjaelp {
    package static let namespace = "urn:serviceplatform:jc:kontanthjaelp:2"
    package static let serviceName = "JC/Kontanthjaelp/2"

    package static func name(_ local: String) -> QualifiedName { QualifiedName(namespace, local) }

    package static let retBevilling = ServiceOperation(
        name: "RetBevilling",
        action: "urn:serviceplatform:jc:kontanthjaelp:2:RetBevilling",
        requestElement: name("RetBevillingRequest"),
        responseElement: name("RetBevillingResponse"))

    package static let sletBevilling = ServiceOperation(
        name: "SletBevilling",
        action: "urn:serviceplatform:jc:kontanthjaelp:2:SletBevilling",
        requestElement: name("SletBevillingRequest"),
        responseElement: name("SletBevillingResponse"))
}
