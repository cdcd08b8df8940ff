import Foundation
import SOAPCodec
import ServicePlatform

/// The SOAP side of a jobcenter system: reads a call the platform forwarded (SOAP 1.1 with
/// `sp:Routing`), applies it to its grant book and answers with a receipt, Afvist with a
/// business error where a grant to delete is unknown. Transport-free, so the exttest
/// jobcenter serves it over HTTPS and tests call it directly.
package struct JobcenterEndpoint: Sendable {
    package let systemID: String
    private let schema: KontanthjaelpSchema
    private let book: any GrantBook
    private let storageFailed: @Sendable (any Error) -> Void

    /// `storageFailed` hears every error of the grant book (to log it; the answer carries none of it).
    package init(systemID: String, schema: KontanthjaelpSchema, book: any GrantBook,
                 storageFailed: @escaping @Sendable (any Error) -> Void = { _ in }) {
        self.systemID = systemID
        self.schema = schema
        self.book = book
        self.storageFailed = storageFailed
    }

    /// Handles one forwarded envelope; returns the HTTP status and the answer envelope. A message
    /// it cannot read blames the sender (JC-1001, JC-1002); a grant book that fails blames the
    /// jobcenter (JC-5001, `soap:Server`) and is reported through `storageFailed`. The platform
    /// relays either to the caller; the caller and whoever runs the jobcenter need to tell them apart.
    package func handle(_ body: [UInt8]) async -> ReceiverExchange {
        let read: (request: GrantRequest, operation: ServiceOperation, routing: RoutingHeaderReader)
        do {
            let document = try XMLDocument(parsing: body)
            let envelope = try SOAPEnvelope(document: document, version: .soap11)
            let routing = try RoutingHeaderReader(envelope.header)
            guard let operation = [Kontanthjaelp.retBevilling, Kontanthjaelp.sletBevilling]
                .first(where: { envelope.payload.is($0.requestElement) }) else {
                return fault("JC-1001", "unknown operation")
            }
            try schema.validate(envelope.payload)
            read = (try GrantRequest(decoding: envelope.payload, operation: operation), operation, routing)
        } catch let fault as PlatformFault {
            return self.fault("JC-1002", fault.text)
        } catch {
            return fault("JC-1001", "the message could not be read")
        }
        let receipt: Receipt
        do {
            receipt = try await apply(read.request, routing: read.routing)
        } catch {
            storageFailed(error)
            return fault("JC-5001", "the jobcenter could not store the message", blamesSender: false)
        }
        return ReceiverExchange(status: 200, body: SOAPMessageWriter.envelope(.soap11, body: KvitteringXML.encode(receipt, operation: read.operation)))
    }

    private func apply(_ request: GrantRequest, routing: RoutingHeaderReader) async throws -> Receipt {
        var errors: [Receipt.BusinessError] = []
        switch request {
        case .ret(let ret):
            try await book.upsert(ret, transactionID: routing.transactionID)
        case .slet(let slet):
            let date = routing.deletionDate ?? CalendarDate.today()
            let deleted = try await book.delete(bevillingID: slet.bevillingID, municipality: slet.header.myndighedskode,
                                                on: date, transactionID: routing.transactionID, beskedID: slet.header.beskedID)
            if !deleted { errors.append(.init(code: "JC-4040", text: "Bevillingen findes ikke hos jobcenteret")) }
        }
        return Receipt(messageID: request.header.beskedID, transactionID: TransactionID(UUID(uuidString: routing.transactionID) ?? UUID()),
                       status: errors.isEmpty ? .received : .rejected, errors: errors, receiverSystem: systemID, receivedAt: Date())
    }

    private func fault(_ code: String, _ text: String, blamesSender: Bool = true) -> ReceiverExchange {
        ReceiverExchange(status: 500, body: SOAPMessageWriter.fault(.soap11, blamesSender: blamesSender, reason: text,
                                                                     detail: FaultMessage.serviceplatformFault([(code, text)])))
    }
}

/// The parts of `sp:Routing` a jobcenter uses.
struct RoutingHeaderReader {
    let transactionID: String
    let deletionDate: CalendarDate?

    init(_ header: XMLElement?) throws(PlatformFault) {
        guard let routing = header?.child(named: QualifiedName(RoutingHeader.namespace, "Routing")) else {
            throw PlatformFault(.schemaViolation, "the sp:Routing header is missing")
        }
        let ns = RoutingHeader.namespace
        guard let id = routing.child(named: QualifiedName(ns, "TransaktionsID"))?.text else {
            throw PlatformFault(.schemaViolation, "sp:Routing has no TransaktionsID")
        }
        transactionID = id
        deletionDate = routing.child(named: QualifiedName(ns, "SletningsDato")).flatMap { CalendarDate(xsDate: $0.text) }
    }
}
