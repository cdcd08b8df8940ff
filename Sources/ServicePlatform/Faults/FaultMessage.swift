import SOAPCodec

/// Writes a platform fault as the contract fixes it: `spf:ServiceplatformFault` first (so
/// clients generated from the real platform's WSDLs get a typed fault), `sp:Fejl` second, and
/// the TransaktionsID at the end of the reason text.
package enum FaultMessage {
    package static let serviceplatformFaultNamespace = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/"
    package static let fejlNamespace = "urn:serviceplatform:fault:1"

    package static func envelope(_ fault: PlatformFault, version: SOAPVersion, transactionID: TransactionID) -> [UInt8] {
        SOAPMessageWriter.fault(
            version,
            blamesSender: fault.code.blamesSender,
            reason: "\(fault.code.rawValue): \(fault.text). TransaktionsID: \(transactionID)",
            detail: detail(fault, transactionID: transactionID)
        )
    }

    /// `spf:ServiceplatformFault` → `spf:ErrorList` → one `spf:Error` per (code, text): the fault
    /// element clients generated from the real platform's WSDLs map to a typed exception.
    package static func serviceplatformFault(_ errors: [(code: String, text: String)]) -> String {
        var w = XMLWriter()
        w.open("spf:ServiceplatformFault", namespaces: [("spf", serviceplatformFaultNamespace)])
        w.open("spf:ErrorList")
        for error in errors {
            w.open("spf:Error")
            w.element("spf:ErrorCode", error.code)
            w.element("spf:ErrorText", error.text)
            w.close("spf:Error")
        }
        w.close("spf:ErrorList")
        w.close("spf:ServiceplatformFault")
        return w.output
    }

    static func detail(_ fault: PlatformFault, transactionID: TransactionID) -> String {
        var w = XMLWriter()
        w.raw(serviceplatformFault([(fault.code.rawValue, fault.text)] + fault.receiverErrors.map { ($0.code, $0.text) }))
        w.open("sp:Fejl", namespaces: [("sp", fejlNamespace)])
        w.element("sp:Kode", fault.code.rawValue)
        w.element("sp:Tekst", fault.text)
        w.element("sp:TransaktionsID", transactionID.description)
        w.close("sp:Fejl")
        return w.output
    }
}
