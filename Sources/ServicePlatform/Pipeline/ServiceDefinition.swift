import SOAPCodec

/// What the platform needs to know of a service it routes: its operations, how to validate
/// and decode a request, and how to read and write receipts. The platform knows services only
/// through this protocol (GrantService implements it for JC/Kontanthjaelp/2).
package protocol ServiceDefinition: Sendable {
    /// The service's name in agreements and audit, e.g. `JC/Kontanthjaelp/2`.
    var name: String { get }
    var operations: [ServiceOperation] { get }

    /// Schema validation (SP-1002), decoding and business rules (SP-1003) of a request element
    /// whose context elements are already in schema order.
    func decodeRequest(_ element: XMLElement, operation: ServiceOperation, today: CalendarDate) throws(PlatformFault) -> ValidatedRequest

    /// Reads a receiver's answer payload (SP-3003 when it is no valid receipt).
    func decodeReceipt(_ element: XMLElement, operation: ServiceOperation) throws(PlatformFault) -> ReceiverReceipt

    /// Writes the response element holding a completed receipt.
    func encodeReceipt(_ receipt: Receipt, operation: ServiceOperation) -> String
}

extension ServiceDefinition {
    package func operation(forRequest name: QualifiedName) -> ServiceOperation? {
        operations.first { $0.requestElement == name }
    }

    package func operation(forAction action: String) -> ServiceOperation? {
        operations.first { $0.action == action }
    }
}
