import Foundation
import Logging
import SOAPCodec

/// One service call from bytes to reply: parse (SP-1001), authenticate (SP-2001), validate and
/// decode (SP-1002/1003), authorize (SP-2003), route (SP-3001), forward (SP-3002/3003), answer.
/// Every step is a dependency handed in, so tests run it without HTTP.
package struct ServiceCallPipeline: Sendable {
    package let service: any ServiceDefinition
    private let securityModel: any SecurityModel
    private let municipalities: MunicipalityDirectory
    private let receivers: any ReceiverDirectory
    private let forwarder: ReceiverForwarder
    private let limits: XMLLimits
    private let logger: Logger

    package init(service: any ServiceDefinition, securityModel: any SecurityModel, municipalities: MunicipalityDirectory,
                 receivers: any ReceiverDirectory, transport: any ReceiverTransport, limits: XMLLimits = .standard,
                 logger: Logger = Logger(label: "serviceplatform.pipeline")) {
        self.service = service
        self.securityModel = securityModel
        self.municipalities = municipalities
        self.receivers = receivers
        self.forwarder = ReceiverForwarder(transport: transport, service: service, limits: limits)
        self.limits = limits
        self.logger = logger
    }

    /// Handles one call; never throws: every failure becomes a fault reply.
    package func handle(_ call: InboundCall) async -> OutboundReply {
        let transactionID = TransactionID()
        let mediaType = SOAPMediaType(contentType: call.contentType, soapAction: call.soapAction)
        let version = mediaType?.version ?? .soap11
        var log = logger
        log[metadataKey: "transaktionsID"] = "\(transactionID)"
        do throws(PlatformFault) {
            guard let mediaType else {
                throw PlatformFault(.malformedRequest, "the content type must be text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2) in UTF-8")
            }
            let (operation, receipt) = try await process(call, mediaType: mediaType, transactionID: transactionID)
            let body = SOAPMessageWriter.envelope(version, body: service.encodeReceipt(receipt, operation: operation))
            log.info("call answered", metadata: ["operation": "\(operation.name)", "status": "\(receipt.status.rawValue)"])
            return OutboundReply(status: 200, contentType: version.contentType(), body: body, transactionID: transactionID, faultCode: nil)
        } catch {
            log.notice("call refused", metadata: ["fault": "\(error.code.rawValue)"])
            return OutboundReply(status: 500, contentType: version.contentType(),
                                 body: FaultMessage.envelope(error, version: version, transactionID: transactionID),
                                 transactionID: transactionID, faultCode: error.code)
        }
    }

    private func process(_ call: InboundCall, mediaType: SOAPMediaType, transactionID: TransactionID) async throws(PlatformFault) -> (ServiceOperation, Receipt) {
        // 1. Parse and check the envelope; the body's element names the operation.
        let document: XMLDocument
        let envelope: SOAPEnvelope
        do {
            document = try XMLDocument(parsing: call.body, limits: limits)
            envelope = try SOAPEnvelope(document: document, version: mediaType.version)
        } catch let error as XMLParseError {
            throw error.fault
        } catch let error as SOAPEnvelopeError {
            throw error.fault
        } catch {
            throw PlatformFault(.malformedRequest, "the request could not be read")
        }
        guard let operation = service.operation(forRequest: envelope.payload.name) else {
            throw PlatformFault(.malformedRequest, "the Body's element \(envelope.payload.localName) is not an operation of \(service.name)")
        }
        if let action = mediaType.action, action != operation.action {
            throw PlatformFault(.malformedRequest, "the SOAP action does not name the operation of the Body (\(operation.name))")
        }
        // 2. Context elements and the security model.
        let contexts = try RequestContexts(of: envelope.payload)
        let caller = try await securityModel.authenticate(call, envelope: envelope, contexts: contexts)
        // 3. Schema, decoding, business rules.
        let request = try service.decodeRequest(envelope.payload, operation: operation, today: CalendarDate.today(now: call.receivedAt))
        // 4. Authorization: the message's municipality must be the caller's.
        guard let municipality = municipalities.municipality(code: request.municipalityCode),
              municipality.cvr == caller.municipalityCVR else {
            throw PlatformFault(.municipalityMismatch, "Myndighedskode does not belong to the municipality the caller acts for")
        }
        // 5. Route and forward.
        guard let receiver = await receivers.receiver(for: request.municipalityCode) else {
            throw PlatformFault(.noReceiver, "no jobcenter system is registered for Myndighedskode \(request.municipalityCode)")
        }
        let routing = RoutingHeader(transactionID: transactionID, callerSystem: caller.systemID, municipalityCVR: caller.municipalityCVR,
                                    securityModel: caller.securityModel, deletionDate: request.deletionDate)
        let answer = try await forwarder.forward(request, routing: routing, to: receiver)
        let receipt = answer.completed(messageID: request.messageID, transactionID: transactionID,
                                       receiverSystem: receiver.systemID, now: Date())
        return (operation, receipt)
    }
}
