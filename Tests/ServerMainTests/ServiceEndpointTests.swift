import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

@Suite("The service endpoint over real HTTP on 127.0.0.1")
struct ServiceEndpointTests {
    @Test("Ret bevilling in SOAP 1.1 gets a Modtaget receipt from the jobcenter")
    func retBevillingSoap11() async throws {
                let bevillingID = UUID().uuidString.lowercased()
        try await withRunningPlatform { client async throws in
            let (status, reply) = try await client.post(SampleMessages.envelope(SampleMessages.retBevilling(bevillingID: bevillingID)))
            #expect(status == .ok)
            #expect(reply.receiptStatus == "Modtaget")
            #expect(reply.element("urn:serviceplatform:jc:kontanthjaelp:2", "ModtagerSystem") == "demo-jobcenter")
            #expect(try client.jobcenterGrant(bevillingID)?["status"] == "Afgjort")
        }
    }

    @Test("Ret then Slet in SOAP 1.2: both Modtaget, the grant is deleted at the jobcenter")
    func retThenSletSoap12() async throws {
                let bevillingID = UUID().uuidString.lowercased()
        try await withRunningPlatform { client async throws in
            let (s1, r1) = try await client.post(SampleMessages.envelope(SampleMessages.retBevilling(bevillingID: bevillingID), soap12: true),
                                                 headers: SOAPHeaders.soap12())
            #expect(s1 == .ok)
            #expect(r1.receiptStatus == "Modtaget")
            #expect(r1.text.contains("http://www.w3.org/2003/05/soap-envelope"))
            let (s2, r2) = try await client.post(SampleMessages.envelope(SampleMessages.sletBevilling(bevillingID: bevillingID), soap12: true),
                                                 headers: SOAPHeaders.soap12(action: SampleMessages.sletAction))
            #expect(s2 == .ok)
            #expect(r2.receiptStatus == "Modtaget")
            let deletedOn: String? = try client.jobcenterGrant(bevillingID)?["deleted_on"]
            #expect(deletedOn == CalendarDate.today().description)
        }
    }

    @Test("Slet of an unknown grant is an Afvist receipt with the jobcenter's error")
    func sletUnknownIsAfvist() async throws {
                try await withRunningPlatform { client async throws in
            let (status, reply) = try await client.post(SampleMessages.envelope(SampleMessages.sletBevilling(bevillingID: UUID().uuidString.lowercased())),
                                                        headers: SOAPHeaders.soap11(action: SampleMessages.sletAction))
            #expect(status == .ok)
            #expect(reply.receiptStatus == "Afvist")
            #expect(reply.element("urn:serviceplatform:jc:kontanthjaelp:2", "Kode") == "JC-4040")
        }
    }

    @Test("context elements in the swapped order are accepted")
    func swappedContexts() async throws {
                try await withRunningPlatform { client async throws in
            let (status, reply) = try await client.post(SampleMessages.envelope(SampleMessages.element("ret-bevilling-swapped-context.xml")))
            #expect(status == .ok)
            #expect(reply.receiptStatus == "Modtaget")
        }
    }

    @Test("the endpoint path with a trailing slash is accepted")
    func trailingSlash() async throws {
                try await withRunningPlatform { client async throws in
            let (status, reply) = try await client.post(SampleMessages.envelope(SampleMessages.retBevilling()), path: SOAPHeaders.path + "/")
            #expect(status == .ok)
            #expect(reply.receiptStatus == "Modtaget")
        }
    }

    @Test("a fault carries ServiceplatformFault first, sp:Fejl second, and the TransaktionsID at the end of the text")
    func faultShape() async throws {
                try await withRunningPlatform { client async throws in
            let payload = SampleMessages.retBevilling { $0.replacingOccurrences(of: "<kh:Status>Afgjort</kh:Status>", with: "<kh:Status>Ansoegt</kh:Status>") }
            let (status, reply) = try await client.post(SampleMessages.envelope(payload))
            #expect(status == .internalServerError)
            #expect(reply.faultCode == "SP-1003")
            #expect(reply.serviceplatformFaultCode == "SP-1003")
            let faultString = try #require(reply.element("", "faultstring"))
            let transaction = try #require(reply.element("urn:serviceplatform:fault:1", "TransaktionsID"))
            #expect(faultString.hasSuffix("TransaktionsID: \(transaction)"))
            #expect(reply.element("", "faultcode") == "soap:Client")
            let detail = try #require(reply.text.range(of: "<detail>"))
            let rest = reply.text[detail.upperBound...]
            #expect(rest.hasPrefix("<spf:ServiceplatformFault"))
            #expect(!reply.text.contains("0101901234"))
        }
    }

    @Test("other methods on the service path are 405")
    func methodNotAllowed() async throws {
                try await withRunningPlatform { client async throws in
            for method in [HTTPRequest.Method.put, .delete, .patch] {
                #expect(try await client.send(method) == .methodNotAllowed)
            }
        }
    }
}
