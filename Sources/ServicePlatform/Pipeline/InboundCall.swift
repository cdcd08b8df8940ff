import Foundation

/// A service call as the HTTP layer hands it over: no HTTP types, so the pipeline is tested without a server.
package struct InboundCall: Sendable {
    package let body: [UInt8]
    package let contentType: String?
    /// The SOAP 1.1 `SOAPAction` header as sent.
    package let soapAction: String?
    /// The TLS client certificate, when one was presented (not yet verified).
    package let peer: TLSPeer?
    package let receivedAt: Date
    /// The address the client called (scheme, host as it named it, path), for `wsa:To`.
    package let endpoint: String?

    package init(body: [UInt8], contentType: String?, soapAction: String?, peer: TLSPeer? = nil, receivedAt: Date = Date(),
                 endpoint: String? = nil) {
        self.body = body
        self.contentType = contentType
        self.soapAction = soapAction
        self.peer = peer
        self.endpoint = endpoint
        self.receivedAt = receivedAt
    }
}

/// The answer for the HTTP layer to send.
package struct OutboundReply: Sendable {
    package let status: Int
    package let contentType: String
    package let body: [UInt8]
    /// The call's TransaktionsID, also in the receipt or fault.
    package let transactionID: TransactionID
    /// The fault code when the reply is a fault.
    package let faultCode: PlatformFault.Code?

    package init(status: Int, contentType: String, body: [UInt8], transactionID: TransactionID, faultCode: PlatformFault.Code?) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.transactionID = transactionID
        self.faultCode = faultCode
    }
}
