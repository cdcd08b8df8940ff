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
        let platform = try TestPlatform()
        try await platform.app.test(.live) { client in
            let wsdl = try await client.execute(uri: SOAPHeaders.path + "?wsdl", method: .get) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
            #expect(wsdl.contains("<soap:address location=\"http://localhost/service/JC/Kontanthjaelp/2\"/>"))
            #expect(wsdl.contains("soap12:address location=\"http://localhost/service/JC/Kontanthjaelp/2\""))
            #expect(wsdl.contains("schemaLocation=\"http://localhost/service/JC/Kontanthjaelp/2?xsd=Kontanthjaelp_2.xsd\""))
            #expect(wsdl.contains("?wsdl=sp/ServiceplatformFaultMessage_1.wsdl"))
            #expect(wsdl.contains("ServiceplatformFault"))
            let xsd = try await client.execute(uri: SOAPHeaders.path + "?xsd=Kontanthjaelp_2.xsd", method: .get) { String(buffer: $0.body) }
            #expect(xsd.contains("RetBevillingRequest"))
            #expect(xsd.contains("?xsd=sp/AuthorityContext_1.xsd"))
            let sp = try await client.execute(uri: SOAPHeaders.path + "?xsd=sp/CallContext_1.xsd", method: .get) { $0.status }
            #expect(sp == .ok)
        }
    }

    @Test("path traversal and unknown names in ?xsd= are 404")
    func traversal() async throws {
        let platform = try TestPlatform()
        try await platform.app.test(.live) { client in
            for query in ["?xsd=../Package.swift", "?xsd=%2E%2E/Package.swift", "?xsd=/etc/passwd", "?xsd=nope.xsd", "?foo"] {
                try await client.execute(uri: SOAPHeaders.path + query, method: .get) { #expect($0.status == .notFound) }
            }
        }
    }

    @Test("a Host header with markup is not echoed into the WSDL", arguments: ["evil\"><x", "a b", "", String(repeating: "a", count: 300)])
    func hostInjection(_ host: String) {
        #expect(ServiceRoutes<BasicRequestContext>.host(host, fallback: "127.0.0.1:8443") == "127.0.0.1:8443")
    }

    @Test("the address is rewritten to the host the client used")
    func addressRewritten() throws {
        let contract = try PublishedContract(directory: TestPaths.wsdlDirectory)
        let wsdl = try #require(contract.document(forQuery: "wsdl", endpoint: "https://router.example:8443/service/JC/Kontanthjaelp/2"))
        #expect(wsdl.contains("location=\"https://router.example:8443/service/JC/Kontanthjaelp/2\""))
        #expect(!wsdl.contains("localhost:8443"))
        #expect(ServiceRoutes<BasicRequestContext>.host("router.example:8443", fallback: "x") == "router.example:8443")
    }
}
