import SOAPCodec
import ServicePlatform

/// The message schema of `wsdl/Kontanthjaelp_2.xsd`, compiled once at start-up from the very
/// file the WSDL publishes, so what callers are told and what is enforced cannot drift apart.
package struct KontanthjaelpSchema: Sendable {
    private let schema: XMLSchema

    /// Compiles the schema from the `wsdl/` directory.
    package init(wsdlDirectory: String) throws {
        let dir = wsdlDirectory.hasSuffix("/") ? String(wsdlDirectory.dropLast()) : wsdlDirectory
        schema = try XMLSchema(path: dir + "/Kontanthjaelp_2.xsd", importsUnder: dir)
    }

    /// SP-1002 naming the first offending element.
    package func validate(_ element: XMLElement) throws(PlatformFault) {
        if case .invalid(let name) = schema.validate(element) {
            throw PlatformFault(.schemaViolation, "the request fails the schema at element \(name)")
        }
    }
}
