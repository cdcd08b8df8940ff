import Foundation
import GrantService
import PlatformTestSupport
import ServicePlatform
import SOAPCodec
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
}
