import Foundation
import GrantService
import PlatformTestSupport
import ServicePlatform
import SOAPCodec
import Synchronization
import Testing

@Suite("The jobcenter's SOAP side, as a receiver sees forwarded calls")
struct JobcenterEndpointTests {
    let book = InMemoryGrantBook()
    var endpoint: JobcenterEndpoint {
        JobcenterEndpoint(systemID: "jc", schema: try! KontanthjaelpSchema(wsdlDirectory: TestPaths.wsdlDirectory), book: book)
    }

    func forwarded(_ request: ValidatedRequest) -> [UInt8] {
        let routing = RoutingHeader(transactionID: TransactionID(), callerSystem: "ky", municipalityCVR: MunicipalityCVR("64942212")!,
                                    securityModel: .authorityContext, deletionDate: request.deletionDate)
        return SOAPMessageWriter.envelope(.soap11, header: routing.markup, body: request.forwardElement)
    }

    func receipt(_ answer: ReceiverExchange) throws -> ReceiverReceipt {
        let doc = try XMLDocument(parsing: answer.body)
        let envelope = try SOAPEnvelope(document: doc, version: .soap11)
        return try KvitteringXML.decode(envelope.payload)
    }

    @Test("Ret then Slet: both Modtaget, the grant is deleted on the stamped date")
    func retThenSlet() async throws {
        let bevilling = UUID().uuidString.lowercased()
        let ret = try decode(SampleMessages.retBevilling(bevillingID: bevilling))
        #expect(try receipt(await endpoint.handle(forwarded(ret))).status == .received)
        let slet = try decode(SampleMessages.sletBevilling(bevillingID: bevilling), operation: Kontanthjaelp.sletBevilling)
        #expect(try receipt(await endpoint.handle(forwarded(slet))).status == .received)
        #expect(await book.entry(bevilling)?.deletedOn == CalendarDate(year: 2026, month: 11, day: 28))
    }

    @Test("Slet of an unknown grant is Afvist with a business error")
    func sletUnknown() async throws {
        let slet = try decode(SampleMessages.sletBevilling(bevillingID: UUID().uuidString.lowercased()), operation: Kontanthjaelp.sletBevilling)
        let answer = try receipt(await endpoint.handle(forwarded(slet)))
        #expect(answer.status == .rejected)
        #expect(answer.errors.first?.code == "JC-4040")
    }

    @Test("a call without the sp:Routing header is a fault, not a receipt")
    func noRoutingHeader() async throws {
        let ret = try decode(SampleMessages.retBevilling())
        let answer = await endpoint.handle(SOAPMessageWriter.envelope(.soap11, body: ret.forwardElement))
        #expect(answer.status == 500)
    }

    @Test("a grant book that fails is the jobcenter's fault (JC-5001, soap:Server) and is reported, not the sender's")
    func failingBookBlamesTheJobcenter() async throws {
        let reported = Mutex<[String]>([])
        let endpoint = JobcenterEndpoint(systemID: "jc", schema: try KontanthjaelpSchema(wsdlDirectory: TestPaths.wsdlDirectory),
                                         book: FailingGrantBook(), storageFailed: { error in reported.withLock { $0.append("\(error)") } })
        let answer = await endpoint.handle(forwarded(try decode(SampleMessages.retBevilling())))
        #expect(answer.status == 500)
        let reply = ReplyReader(answer.body)
        #expect(reply.serviceplatformFaultCode == "JC-5001")
        #expect(reply.element("http://schemas.xmlsoap.org/soap/envelope/", "Fault") != nil)
        #expect(reply.text.contains("<faultcode>soap:Server</faultcode>"))
        #expect(reported.withLock { $0 } == ["unavailable"])
    }

    @Test("a message it cannot read still blames the sender (JC-1001, soap:Client), and is no storage failure")
    func unreadableBlamesTheSender() async throws {
        let reported = Mutex(0)
        let endpoint = JobcenterEndpoint(systemID: "jc", schema: try KontanthjaelpSchema(wsdlDirectory: TestPaths.wsdlDirectory),
                                         book: FailingGrantBook(), storageFailed: { _ in reported.withLock { $0 += 1 } })
        let answer = await endpoint.handle(Array("<not-xml".utf8))
        #expect(ReplyReader(answer.body).serviceplatformFaultCode == "JC-1001")
        #expect(ReplyReader(answer.body).text.contains("<faultcode>soap:Client</faultcode>"))
        #expect(reported.withLock { $0 } == 0)
    }
}

/// A grant book whose storage is gone.
private struct FailingGrantBook: GrantBook {
    enum Failure: Error, CustomStringConvertible {
        case unavailable
        var description: String { "unavailable" }
    }

    func upsert(_ ret: RetBevilling, transactionID: String) async throws { throw Failure.unavailable }
    func delete(bevillingID: String, municipality: Myndighedskode, on date: CalendarDate, transactionID: String, beskedID: String) async throws -> Bool {
        throw Failure.unavailable
    }
}
