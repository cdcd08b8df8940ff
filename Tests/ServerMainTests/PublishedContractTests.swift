import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

@Suite("The published WSDL and XSDs")
struct PublishedContractTests {
    @Test("?wsdl is served with the address the client used and imports it can resolve")
    func wsdlServed() async throws {
                try await withRunningPlatform { client async throws in
            let (status, wsdl) = try await client.get(SOAPHeaders.path + "?wsdl")
            #expect(status == .ok)
            #expect(wsdl.contains("<soap:address location=\"https://127.0.0.1:\(client.ports["service"]!)/service/JC/Kontanthjaelp/2\"/>"))
            #expect(wsdl.contains("soap12:address location=\"https://127.0.0.1:\(client.ports["service"]!)/service/JC/Kontanthjaelp/2\""))
            #expect(wsdl.contains("schemaLocation=\"https://127.0.0.1:\(client.ports["service"]!)/service/JC/Kontanthjaelp/2?xsd=Kontanthjaelp_2.xsd\""))
            #expect(wsdl.contains("?wsdl=sp/ServiceplatformFaultMessage_1.wsdl"))
            #expect(wsdl.contains("ServiceplatformFault"))
            let (_, xsd) = try await client.get(SOAPHeaders.path + "?xsd=Kontanthjaelp_2.xsd")
            #expect(xsd.contains("RetBevillingRequest"))
            #expect(xsd.contains("?xsd=sp/AuthorityContext_1.xsd"))
            let (sp, _) = try await client.get(SOAPHeaders.path + "?xsd=sp/CallContext_1.xsd")
            #expect(sp == .ok)
        }
    }

    @Test("path traversal and unknown names in ?xsd= are 404")
    func traversal() async throws {
                try await withRunningPlatform { client async throws in
            for query in ["?xsd=../Package.swift", "?xsd=%2E%2E/Package.swift", "?xsd=/etc/passwd", "?xsd=nope.xsd", "?foo"] {
                #expect(try await client.get(SOAPHeaders.path + query).0 == .notFound)
            }
        }
    }

    @Test("a Host header with markup is not echoed into the WSDL", arguments: ["evil\"><x", "a b", "", String(repeating: "a", count: 300)])
    func hostInjection(_ host: String) {
        #expect(ServiceRoutes.host(host, fallback: "127.0.0.1:8443") == "127.0.0.1:8443")
    }

    @Test("the address is rewritten to the host the client used")
    func addressRewritten() throws {
        let contract = try PublishedContract(directory: TestPaths.wsdlDirectory)
        let wsdl = try #require(contract.document(forQuery: "wsdl", endpoint: "https://router.example:8443/service/JC/Kontanthjaelp/2"))
        #expect(wsdl.contains("location=\"https://router.example:8443/service/JC/Kontanthjaelp/2\""))
        #expect(!wsdl.contains("localhost:8443"))
        #expect(ServiceRoutes.host("router.example:8443", fallback: "x") == "router.example:8443")
    }
}
