import SOAPCodec
import ServicePlatform

/// JC/Kontanthjaelp/2 as the platform sees it: its two operations, schema, rules and receipts.
package struct KontanthjaelpService: ServiceDefinition {
    package let name = Kontanthjaelp.serviceName
    package let operations = [Kontanthjaelp.retBevilling, Kontanthjaelp.sletBevilling]
    private let schema: KontanthjaelpSchema
    private let rules = GrantRules()

    package init(schema: KontanthjaelpSchema) { self.schema = schema }

    package func decodeRequest(_ element: XMLElement, operation: ServiceOperation, today: CalendarDate) throws(PlatformFault) -> ValidatedRequest {
        try schema.validate(element)
        let request = try GrantRequest(decoding: element, operation: operation)
        try rules.check(request)
        let header = request.header
        let deletion: CalendarDate? = if case .slet = request { today } else { nil }
        return ValidatedRequest(operation: operation, messageID: header.beskedID, municipalityCode: header.myndighedskode,
                                personalIdentifier: header.cprNummer.identifier, forwardElement: request.forwardMarkup,
                                deletionDate: deletion)
    }

    package func decodeReceipt(_ element: XMLElement, operation: ServiceOperation) throws(PlatformFault) -> ReceiverReceipt {
        try KvitteringXML.decode(element)
    }

    package func encodeReceipt(_ receipt: Receipt, operation: ServiceOperation) -> String {
        KvitteringXML.encode(receipt, operation: operation)
    }
}
