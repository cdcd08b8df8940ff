/// Writes whole envelopes around markup the platform built: replies, forwards and faults.
package enum SOAPMessageWriter {
    /// An envelope with optional header blocks and one body element, in `version`.
    package static func envelope(_ version: SOAPVersion, header: String? = nil, body: String) -> [UInt8] {
        var w = XMLWriter()
        w.declaration()
        w.open("soap:Envelope", namespaces: [("soap", version.envelopeNamespace)])
        if let header {
            w.open("soap:Header")
            w.raw(header)
            w.close("soap:Header")
        }
        w.open("soap:Body")
        w.raw(body)
        w.close("soap:Body")
        w.close("soap:Envelope")
        return w.bytes
    }

    /// A fault in the request's version: 1.1 `Client`/`Server`, 1.2 `Sender`/`Receiver`.
    /// `detail` is markup (the platform's fault elements), `reason` plain text.
    package static func fault(_ version: SOAPVersion, blamesSender: Bool, reason: String, detail: String) -> [UInt8] {
        var w = XMLWriter()
        switch version {
        case .soap11:
            w.open("soap:Fault")
            w.element("faultcode", blamesSender ? "soap:Client" : "soap:Server")
            w.element("faultstring", reason)
            w.open("detail")
            w.raw(detail)
            w.close("detail")
            w.close("soap:Fault")
        case .soap12:
            w.open("soap:Fault")
            w.open("soap:Code")
            w.element("soap:Value", blamesSender ? "soap:Sender" : "soap:Receiver")
            w.close("soap:Code")
            w.open("soap:Reason")
            w.open("soap:Text", attributes: [("xml:lang", "da")])
            w.raw(XMLWriter.escape(reason, attribute: false))
            w.close("soap:Text")
            w.close("soap:Reason")
            w.open("soap:Detail")
            w.raw(detail)
            w.close("soap:Detail")
            w.close("soap:Fault")
        }
        return envelope(version, body: w.output)
    }
}
