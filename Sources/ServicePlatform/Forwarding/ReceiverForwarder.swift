import Foundation
import SOAPCodec

/// Forwards a validated request to its receiver over SOAP 1.1 with the `sp:Routing` header,
/// and turns the answer into a receipt: SP-3002 when the receiver failed or faulted, SP-3003
/// when what it answered is no valid receipt.
package struct ReceiverForwarder: Sendable {
    private let transport: any ReceiverTransport
    private let service: any ServiceDefinition
    private let limits: XMLLimits

    package init(transport: any ReceiverTransport, service: any ServiceDefinition, limits: XMLLimits = .standard) {
        self.transport = transport
        self.service = service
        self.limits = limits
    }

    package func forward(_ request: ValidatedRequest, routing: RoutingHeader, to receiver: Receiver) async throws(PlatformFault) -> ReceiverReceipt {
        let envelope = SOAPMessageWriter.envelope(.soap11, header: routing.markup, body: request.forwardElement)
        let answer = try await transport.exchange(envelope, action: request.operation.action, with: receiver)
        return try read(answer, operation: request.operation)
    }

    func read(_ answer: ReceiverExchange, operation: ServiceOperation) throws(PlatformFault) -> ReceiverReceipt {
        let document: XMLDocument
        let envelope: SOAPEnvelope
        do {
            document = try XMLDocument(parsing: answer.body, limits: limits)
            envelope = try SOAPEnvelope(document: document, version: .soap11)
        } catch {
            if (200..<300).contains(answer.status) {
                throw PlatformFault(.invalidReceipt, "the receiver's answer is not a SOAP envelope")
            }
            throw PlatformFault(.receiverUnavailable, "the receiver answered HTTP \(answer.status)")
        }
        if envelope.payload.is(QualifiedName(SOAPVersion.soap11.envelopeNamespace, "Fault")) {
            throw PlatformFault(.receiverUnavailable, "the receiver answered with a fault",
                                receiverErrors: ReceiverFaultReader.errors(in: envelope.payload))
        }
        guard (200..<300).contains(answer.status) else {
            throw PlatformFault(.receiverUnavailable, "the receiver answered HTTP \(answer.status)")
        }
        guard envelope.payload.is(operation.responseElement) else {
            throw PlatformFault(.invalidReceipt, "the receiver's answer is not a \(operation.responseElement.localName)")
        }
        return try service.decodeReceipt(envelope.payload, operation: operation)
    }
}

/// Reads a receiver's fault: its `spf:Error` entries where it has them, else its faultstring.
enum ReceiverFaultReader {
    static func errors(in fault: XMLElement) -> [PlatformFault.ReceiverError] {
        let spf = FaultMessage.serviceplatformFaultNamespace
        var result: [PlatformFault.ReceiverError] = []
        if let detail = fault.child(named: QualifiedName("", "detail")),
           let list = detail.child(named: QualifiedName(spf, "ServiceplatformFault"))?.child(named: QualifiedName(spf, "ErrorList")) {
            for error in list.children(named: QualifiedName(spf, "Error")).prefix(10) {
                let code = error.child(named: QualifiedName(spf, "ErrorCode"))?.text ?? ""
                let text = error.child(named: QualifiedName(spf, "ErrorText"))?.text ?? ""
                result.append(.init(code: String(code.prefix(64)), text: String(text.prefix(500))))
            }
        }
        if result.isEmpty {
            let code = fault.child(named: QualifiedName("", "faultcode"))?.text ?? "Server"
            let text = fault.child(named: QualifiedName("", "faultstring"))?.text ?? ""
            result.append(.init(code: String(code.prefix(64)), text: String(text.prefix(500))))
        }
        return result
    }
}
