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
        // Passed on as received, minus the context elements (the schema allows nothing else
        // beside kh:Header and kh:Body): what the receiver gets is what was validated, values
        // unchanged (a date's time zone, a string's spaces).
        let contexts = element.children.filter { $0.name != Kontanthjaelp.name("Header") && $0.name != Kontanthjaelp.name("Body") }
        guard let received = element.standaloneForm(excluding: contexts) else {
            throw PlatformFault(.internalError, "the request could not be prepared for forwarding")
        }
        return ValidatedRequest(operation: operation, messageID: header.beskedID, municipalityCode: header.myndighedskode,
                                personalIdentifier: header.cprNummer.identifier, forwardElement: String(decoding: received, as: UTF8.self),
                                content: request.contentMarkup, deletionDate: deletion)
    }

    package func decodeReceipt(_ element: XMLElement, operation: ServiceOperation) throws(PlatformFault) -> ReceiverReceipt {
        try KvitteringXML.decode(element)
    }

    package func encodeReceipt(_ receipt: Receipt, operation: ServiceOperation) -> String {
        KvitteringXML.encode(receipt, operation: operation)
    }
}
