import Foundation
import SOAPCodec
import ServicePlatform

/// Reads and writes `kh:Kvittering`, the synchronous business receipt.
package enum KvitteringXML {
    /// Reads a receiver's response element; SP-3003 unless it holds a Kvittering with a valid Status.
    package static func decode(_ response: XMLElement) throws(PlatformFault) -> ReceiverReceipt {
        let invalid = { (what: String) in PlatformFault(.invalidReceipt, "the receiver's receipt \(what)") }
        let kvitteringer = response.children(named: Kontanthjaelp.name("Kvittering"))
        guard response.children.count == 1, kvitteringer.count == 1 else { throw invalid("must be exactly one Kvittering") }
        let k = ElementReader(kvitteringer[0])
        guard let statusText = k.optionalText("Status") else { throw invalid("has no Status") }
        guard let status = Receipt.Status(rawValue: statusText) else { throw invalid("has a Status other than Modtaget or Afvist") }
        var errors: [Receipt.BusinessError] = []
        // Every Fejl (0..n): the answer as a whole is bounded (1 MiB), and so is each entry.
        for fejl in k.element.children(named: Kontanthjaelp.name("Fejl")) {
            let f = ElementReader(fejl)
            guard let kode = f.optionalText("Kode"), let tekst = f.optionalText("Tekst"), !kode.isEmpty else {
                throw invalid("has a Fejl without Kode and Tekst")
            }
            errors.append(.init(code: String(kode.prefix(64)), text: String(tekst.prefix(1000))))
        }
        var receivedAt: Date?
        if let text = k.optionalText("ModtagetTidspunkt") {
            guard let date = XSDateTime.parse(text) else { throw invalid("has a ModtagetTidspunkt that is not a dateTime") }
            receivedAt = date
        }
        let system = k.optionalText("ModtagerSystem").flatMap { $0.isEmpty || $0.count > 100 ? nil : $0 }
        return ReceiverReceipt(status: status, errors: errors, messageID: k.optionalText("BeskedID"),
                               transactionID: k.optionalText("TransaktionsID"), receiverSystem: system, receivedAt: receivedAt)
    }

    /// Writes the response element for `operation` holding `receipt`.
    package static func encode(_ receipt: Receipt, operation: ServiceOperation) -> String {
        var w = XMLWriter()
        let response = "kh:" + operation.responseElement.localName
        w.open(response, namespaces: [("kh", Kontanthjaelp.namespace)])
        w.open("kh:Kvittering")
        w.element("kh:BeskedID", receipt.messageID)
        w.element("kh:TransaktionsID", receipt.transactionID.description)
        w.element("kh:Status", receipt.status.rawValue)
        for error in receipt.errors {
            w.open("kh:Fejl")
            w.element("kh:Kode", error.code)
            w.element("kh:Tekst", error.text)
            w.close("kh:Fejl")
        }
        w.element("kh:ModtagerSystem", receipt.receiverSystem)
        w.element("kh:ModtagetTidspunkt", XSDateTime.format(receipt.receivedAt))
        w.close("kh:Kvittering")
        w.close(response)
        return w.output
    }
}
