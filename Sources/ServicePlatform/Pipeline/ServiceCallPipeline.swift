import Foundation
import Logging
import SOAPCodec

/// One service call from bytes to reply: parse (SP-1001), authenticate and authorize the caller
/// (SP-2001/2002), validate and decode (SP-1002/1003), check the municipality (SP-2003), replay
/// a stored receipt or refuse a reused BeskedID (SP-4001), route (SP-3001), forward
/// (SP-3002/3003), and answer, with one durable audit record per call before the answer leaves.
/// Every step is a dependency handed in, so tests run it without HTTP.
package struct ServiceCallPipeline: Sendable {
    package struct Dependencies: Sendable {
        package var service: any ServiceDefinition
        package var securityModel: any SecurityModel
        package var municipalities: MunicipalityDirectory
        package var receivers: any ReceiverDirectory
        package var transport: any ReceiverTransport
        package var replay: ReceiptReplay
        package var audit: AuditLog
        package var hasher: PersonalDataHasher
        /// Signs answers to SAML-model calls; without it they go out unsigned.
        package var responseSigner: ResponseSigner?
        package var limits: XMLLimits = .standard
        package var logger: Logger = Logger(label: "serviceplatform.pipeline")

        package init(service: any ServiceDefinition, securityModel: any SecurityModel, municipalities: MunicipalityDirectory,
                     receivers: any ReceiverDirectory, transport: any ReceiverTransport, replay: ReceiptReplay, audit: AuditLog,
                     hasher: PersonalDataHasher) {
            self.service = service
            self.securityModel = securityModel
            self.municipalities = municipalities
            self.receivers = receivers
            self.transport = transport
            self.replay = replay
            self.audit = audit
            self.hasher = hasher
        }
    }

    private let d: Dependencies
    private let forwarder: ReceiverForwarder

    package init(_ dependencies: Dependencies) {
        d = dependencies
        forwarder = ReceiverForwarder(transport: dependencies.transport, service: dependencies.service, limits: dependencies.limits)
    }

    package var service: any ServiceDefinition { d.service }

    /// Handles one call; never throws: every failure becomes a fault reply, and every call an audit record.
    package func handle(_ call: InboundCall) async -> OutboundReply {
        let started = ContinuousClock.now
        let transactionID = TransactionID()
        let mediaType = SOAPMediaType(contentType: call.contentType, soapAction: call.soapAction)
        let version = mediaType?.version ?? .soap11
        var draft = AuditDraft(transactionID: transactionID, time: call.receivedAt, certificateFingerprint: call.peer?.fingerprint)
        var reply: OutboundReply
        var outcome: String
        var fault: PlatformFault?
        var keep: StoredReceipt?
        // Held from the idempotency check until the record (and receipt) below is stored.
        var firstCall: MessagesInFlight.Lease?
        defer { firstCall?.release() }
        do throws(PlatformFault) {
            guard let mediaType else {
                throw PlatformFault(.malformedRequest, "the content type must be text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2) in UTF-8")
            }
            let answered = try await process(call, mediaType: mediaType, transactionID: transactionID, draft: &draft, firstCall: &firstCall)
            // Kept whatever happens to the answer: the receiver has acted, so a retry must replay.
            keep = answered.keep
            let response = d.service.encodeReceipt(answered.receipt, operation: answered.operation)
            reply = OutboundReply(status: 200, contentType: version.contentType(), body: try answer(response, for: answered, version: version),
                                  transactionID: transactionID, faultCode: nil)
            outcome = answered.receipt.status.rawValue
        } catch {
            reply = Self.faultReply(error, version: version, transactionID: transactionID)
            outcome = error.code.rawValue
            fault = error
        }
        return await audited(reply, draft: draft, outcome: outcome, fault: fault, keep: keep, started: started, version: version)
    }

    /// A call refused before its body is read, because of the body itself (larger than the limit,
    /// or compressed): the same SP-1001 fault and the same audit record as a body refused after
    /// parsing, with what is known of the call (time, client certificate, SOAP version from the
    /// content type), under the HTTP status the refusal calls for (413, 415) instead of 500.
    package func refuse(_ call: InboundCall, _ fault: PlatformFault, status: Int) async -> OutboundReply {
        let started = ContinuousClock.now
        let transactionID = TransactionID()
        let version = SOAPMediaType(contentType: call.contentType, soapAction: call.soapAction)?.version ?? .soap11
        let draft = AuditDraft(transactionID: transactionID, time: call.receivedAt, certificateFingerprint: call.peer?.fingerprint)
        let reply = Self.faultReply(fault, version: version, transactionID: transactionID, status: status)
        return await audited(reply, draft: draft, outcome: fault.code.rawValue, fault: fault, keep: nil,
                             started: started, version: version)
    }

    /// Writes the call's one audit record and only then lets `reply` go; a record that cannot be
    /// written turns the answer into SP-5000 (and its receipt is not kept).
    private func audited(_ reply: OutboundReply, draft: AuditDraft, outcome: String, fault: PlatformFault?, keep: StoredReceipt?,
                         started: ContinuousClock.Instant, version: SOAPVersion) async -> OutboundReply {
        let transactionID = draft.transactionID
        let micros = Int((ContinuousClock.now - started).wholeMicroseconds)
        do {
            try await d.audit.record(draft.record(outcome: outcome, faultCode: fault?.code.rawValue, latencyMicros: micros), receipt: keep)
        } catch {
            d.logger.error("audit record could not be written; answering SP-5000", metadata: ["transaktionsID": "\(transactionID)"])
            return Self.faultReply(PlatformFault(.internalError, "internal error"), version: version, transactionID: transactionID)
        }
        log(draft, outcome: outcome, fault: fault)
        return reply
    }

    /// One line per call: receipts at debug (the audit log has them all), faults the caller
    /// caused at info, and the platform's or a receiver's failures at warning, so an outage or
    /// a broken receiver shows at the default level. The fault's text names elements, never
    /// values, and a receiver's own error texts (which could quote a CPR number) are left out.
    private func log(_ draft: AuditDraft, outcome: String, fault: PlatformFault?) {
        let level: Logger.Level = if let fault { fault.code.blamesSender ? .info : .warning } else { .debug }
        guard d.logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = ["transaktionsID": "\(draft.transactionID)", "operation": "\(draft.operation ?? "-")",
                                         "outcome": "\(outcome)", "caller": "\(draft.callerSystem ?? "-")"]
        if let receiver = draft.receiverSystem { metadata["receiver"] = "\(receiver)" }
        d.logger.log(level: level, fault.map { "call refused: \($0.text)" } ?? "call", metadata: metadata)
    }

    /// What a successful call produced, and what its answer needs.
    private struct Answered {
        let operation: ServiceOperation
        let receipt: Receipt
        let securityModel: SecurityModelKind
        /// The request's `wsa:MessageID`, for `wsa:RelatesTo`.
        let requestMessageID: String?
        /// A fresh receipt to keep for replay (nil when it was itself replayed).
        var keep: StoredReceipt? = nil
    }

    /// The reply envelope: signed for the SAML model (real token clients refuse it otherwise).
    private func answer(_ response: String, for answered: Answered, version: SOAPVersion) throws(PlatformFault) -> [UInt8] {
        guard answered.securityModel == .saml, let signer = d.responseSigner else {
            return SOAPMessageWriter.envelope(version, body: response)
        }
        do {
            return try signer.envelope(body: response, action: answered.operation.action + "Response", relatesTo: answered.requestMessageID)
        } catch {
            throw PlatformFault(.internalError, "the response could not be signed")
        }
    }

    /// The header blocks the platform processes (WS-Addressing as the token clients send it, the
    /// Liberty framework header, WS-Security): any other marked mustUnderstand is refused.
    private static let understoodHeaderBlocks: Set<QualifiedName> = [
        QualifiedName(WSNamespaces.wsa, "Action"), QualifiedName(WSNamespaces.wsa, "MessageID"), QualifiedName(WSNamespaces.wsa, "To"),
        QualifiedName(WSNamespaces.wsa, "ReplyTo"), QualifiedName(WSNamespaces.sbf, "Framework"), QualifiedName(WSNamespaces.wsse, "Security"),
    ]

    /// Status 500 for a fault (WS-I Basic Profile), unless a refusal before parsing calls for another.
    private static func faultReply(_ fault: PlatformFault, version: SOAPVersion, transactionID: TransactionID,
                                   status: Int = 500) -> OutboundReply {
        OutboundReply(status: status, contentType: version.contentType(),
                      body: FaultMessage.envelope(fault, version: version, transactionID: transactionID),
                      transactionID: transactionID, faultCode: fault.code)
    }

    private func process(_ call: InboundCall, mediaType: SOAPMediaType, transactionID: TransactionID,
                         draft: inout AuditDraft, firstCall: inout MessagesInFlight.Lease?) async throws(PlatformFault) -> Answered {
        // 1. Parse and check the envelope; the body's element names the operation.
        let document: XMLDocument
        let envelope: SOAPEnvelope
        do {
            document = try XMLDocument(parsing: call.body, limits: d.limits)
            envelope = try SOAPEnvelope(document: document, version: mediaType.version)
        } catch let error as XMLParseError {
            throw error.fault
        } catch let error as SOAPEnvelopeError {
            throw error.fault
        } catch {
            throw PlatformFault(.malformedRequest, "the request could not be read")
        }
        if let block = envelope.blocksNotUnderstood(Self.understoodHeaderBlocks).first {
            throw PlatformFault(.malformedRequest, "the header block \(block) is marked mustUnderstand, and this service does not process it")
        }
        guard let operation = d.service.operation(forRequest: envelope.payload.name) else {
            throw PlatformFault(.malformedRequest, "the Body's element is not an operation of \(d.service.name)")
        }
        draft.operation = operation.name
        if let action = mediaType.action, action != operation.action {
            throw PlatformFault(.malformedRequest, "the SOAP action does not name the operation of the Body (\(operation.name))")
        }
        if let addressed = envelope.header?.child(named: QualifiedName(WSNamespaces.wsa, "Action")),
           addressed.text.trimmingXMLWhitespace() != operation.action {
            throw PlatformFault(.malformedRequest, "wsa:Action does not name the operation of the Body (\(operation.name))")
        }
        if let to = envelope.header?.child(named: QualifiedName(WSNamespaces.wsa, "To")), let endpoint = call.endpoint,
           !EndpointAddress.matches(to.text, endpoint: endpoint) {
            throw PlatformFault(.authenticationFailed, "wsa:To names another endpoint than this service")
        }
        // 2. Context elements and the security model: who calls, for which municipality, may it.
        let contexts = try RequestContexts(of: envelope.payload)
        draft.callContext = contexts.callContextValues()
        let caller = try await d.securityModel.authenticate(call, envelope: envelope, contexts: contexts)
        draft.callerSystem = caller.systemID
        // The certificate that identified the caller: under SAML the holder-of-key one, which
        // need not be the TLS client certificate (or there may be none).
        draft.certificateFingerprint = caller.certificateFingerprint ?? draft.certificateFingerprint
        draft.modelDetails = caller.modelDetails
        draft.securityModel = caller.securityModel.rawValue
        draft.municipalityCVR = caller.municipalityCVR.rawValue
        // 3. Schema, decoding, business rules.
        contexts.normalizeOrderForSchema()
        let request = try d.service.decodeRequest(envelope.payload, operation: operation, today: CalendarDate.today(now: call.receivedAt))
        draft.beskedID = request.messageID
        draft.municipalityCode = request.municipalityCode.rawValue
        draft.cprHash = d.hasher.hash(request.personalIdentifier)
        // 4. The message's municipality must be the one the caller acts for.
        guard let municipality = d.municipalities.municipality(code: request.municipalityCode),
              municipality.cvr == caller.municipalityCVR else {
            throw PlatformFault(.municipalityMismatch, "Myndighedskode does not belong to the municipality the caller acts for")
        }
        // 5. Idempotency: a repeated call gets its stored receipt, the receiver is not called,
        //    also when it arrives while the first is still under way (here, or on another
        //    instance sharing the database: the claim is released with this call's record).
        let messageID = envelope.header?.child(named: QualifiedName(WSNamespaces.wsa, "MessageID"))?.text
            .trimmingXMLWhitespace()
        switch try await d.replay.claim(caller: caller.systemID, request: request, transactionID: transactionID) {
        case .repeated(let stored):
            draft.receiverSystem = stored.receiverSystem
            return Answered(operation: operation, receipt: stored, securityModel: caller.securityModel, requestMessageID: messageID)
        case .first(let lease):
            firstCall = lease
        }
        // 6. Route and forward.
        guard let receiver = await d.receivers.receiver(for: request.municipalityCode) else {
            throw PlatformFault(.noReceiver, "no jobcenter system is registered for Myndighedskode \(request.municipalityCode)")
        }
        draft.receiverSystem = receiver.systemID
        let routing = RoutingHeader(transactionID: transactionID, callerSystem: caller.systemID, municipalityCVR: caller.municipalityCVR,
                                    securityModel: caller.securityModel, deletionDate: request.deletionDate)
        let answer = try await forwarder.forward(request, routing: routing, to: receiver)
        let receipt = answer.completed(messageID: request.messageID, transactionID: transactionID,
                                       receiverSystem: receiver.systemID, now: Date())
        return Answered(operation: operation, receipt: receipt, securityModel: caller.securityModel, requestMessageID: messageID,
                        keep: d.replay.record(caller: caller.systemID, request: request, receipt: receipt))
    }
}
