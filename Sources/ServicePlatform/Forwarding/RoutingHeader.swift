import SOAPCodec

/// The `sp:Routing` header the platform adds to every forwarded call, so the receiver knows
/// which call, caller, municipality and security model it is answering.
package struct RoutingHeader: Sendable, Equatable {
    package static let namespace = "urn:serviceplatform:routing:1"

    package let transactionID: TransactionID
    package let callerSystem: String
    package let municipalityCVR: MunicipalityCVR
    package let securityModel: SecurityModelKind
    package let deletionDate: CalendarDate?

    package init(transactionID: TransactionID, callerSystem: String, municipalityCVR: MunicipalityCVR,
                 securityModel: SecurityModelKind, deletionDate: CalendarDate?) {
        self.transactionID = transactionID
        self.callerSystem = callerSystem
        self.municipalityCVR = municipalityCVR
        self.securityModel = securityModel
        self.deletionDate = deletionDate
    }

    package var markup: String {
        var w = XMLWriter()
        w.open("sp:Routing", namespaces: [("sp", Self.namespace)])
        w.element("sp:TransaktionsID", transactionID.description)
        w.element("sp:AnvenderSystem", callerSystem)
        w.element("sp:MunicipalityCVR", municipalityCVR.rawValue)
        w.element("sp:Sikkerhedsmodel", securityModel.rawValue)
        w.element("sp:SletningsDato", ifPresent: deletionDate?.description)
        w.close("sp:Routing")
        return w.output
    }
}
