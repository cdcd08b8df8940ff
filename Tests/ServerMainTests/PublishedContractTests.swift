import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PlatformTestSupport
import ServicePlatform
import SOAPCodec
import Testing
import ZIPFoundation
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

    // MARK: The SAML model's WSDL (?wsdl=token)

    @Test("?wsdl=token is the SAML model's WSDL: SOAP 1.1 only, the policy attached, the address and imports rewritten")
    func tokenWSDLServed() async throws {
        try await withRunningPlatform { p async throws in
            let base = p.serviceURL
            let (status, wsdl) = try await p.get(SOAPHeaders.path + "?wsdl=token")
            #expect(status == .ok)
            #expect(wsdl.contains("<soap:address location=\"\(base)\"/>"))
            #expect(!wsdl.contains("soap12:"), "the token model is SOAP 1.1 only")
            #expect(wsdl.contains("location=\"\(base)?wsdl=token/policies.wsdl\""))
            #expect(wsdl.contains("location=\"\(base)?wsdl=sp/ServiceplatformFaultMessage_1.wsdl\""))
            #expect(wsdl.contains("schemaLocation=\"\(base)?xsd=Kontanthjaelp_2.xsd\""))
            // The policy reference points where CXF can fetch it and equals the policy's Name (how WCF matches it).
            let reference = "\(base)?wsdl=token/policies.wsdl#ServiceplatformBindingPolicy"
            #expect(wsdl.contains("<wsp:PolicyReference URI=\"\(reference)\"/>"))
            let (policyStatus, policies) = try await p.get(SOAPHeaders.path + "?wsdl=token/policies.wsdl")
            #expect(policyStatus == .ok)
            #expect(policies.contains("Name=\"\(reference)\""))
            #expect(policies.contains("wsu:Id=\"ServiceplatformBindingPolicy\""))
            // The full name serves the same document.
            #expect(try await p.get(SOAPHeaders.path + "?wsdl=token/Kontanthjaelp.wsdl").1 == wsdl)

            let doc = try XMLDocument(parsing: Array(wsdl.utf8))
            let root = try #require(doc.root)
            for container in ["portType", "binding"] {
                let operations = Self.elements(in: root, Self.wsdl(container)).flatMap { $0.children(named: Self.wsdl("operation")) }
                #expect(Set(operations.compactMap { $0.attribute("name") }) == ["RetBevilling", "SletBevilling"], "\(container)")
                for operation in operations {
                    let faults = operation.children(named: Self.wsdl("fault")).compactMap { $0.attribute("name") }
                    #expect(faults == ["ServiceplatformFault"], "\(container) \(operation.attribute("name") ?? "")")
                }
            }
            let binding = try #require(Self.elements(in: root, Self.wsdl("binding")).first)
            #expect(binding.child(named: QualifiedName("http://www.w3.org/2006/05/addressing/wsdl", "UsingAddressing")) != nil)
            #expect(binding.child(named: QualifiedName("http://schemas.xmlsoap.org/wsdl/soap/", "binding")) != nil)
        }
    }

    @Test("the token policy asks for the OIO IDWS layout: asymmetric binding, SAML 2.0 initiator, signed Body, addressing and Framework")
    func tokenPolicy() async throws {
        try await withRunningPlatform { p async throws in
            let (_, policies) = try await p.get(SOAPHeaders.path + "?wsdl=token/policies.wsdl")
            let doc = try XMLDocument(parsing: Array(policies.utf8))
            let root = try #require(doc.root)
            let sp = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
            func one(_ local: String) -> XMLElement? { Self.elements(in: root, QualifiedName(sp, local)).first }
            let binding = try #require(one("AsymmetricBinding"))
            let initiator = try #require(Self.elements(in: binding, QualifiedName(sp, "InitiatorToken")).first)
            let saml = try #require(Self.elements(in: initiator, QualifiedName(sp, "SamlToken")).first)
            #expect(saml.attribute("IncludeToken", namespace: sp) == "\(sp)/IncludeToken/AlwaysToRecipient")
            #expect(!Self.elements(in: saml, QualifiedName(sp, "WssSamlV20Token11")).isEmpty)
            let recipient = try #require(Self.elements(in: binding, QualifiedName(sp, "RecipientToken")).first)
            #expect(!Self.elements(in: recipient, QualifiedName(sp, "X509Token")).isEmpty)
            #expect(!Self.elements(in: binding, QualifiedName(sp, "Basic256Sha256")).isEmpty)
            #expect(!Self.elements(in: binding, QualifiedName(sp, "IncludeTimestamp")).isEmpty)
            #expect(Self.elements(in: binding, QualifiedName(sp, "InclusiveC14N")).isEmpty, "exclusive c14n")
            let signed = try #require(one("SignedParts"))
            #expect(signed.child(named: QualifiedName(sp, "Body")) != nil)
            let headers = Set(signed.children(named: QualifiedName(sp, "Header")).map { "\($0.attribute("Namespace") ?? "") \($0.attribute("Name") ?? "")" })
            let wsa = "http://www.w3.org/2005/08/addressing"
            #expect(headers == Set(["To", "Action", "MessageID", "RelatesTo", "ReplyTo"].map { "\(wsa) \($0)" } + ["urn:liberty:sb:2006-08 Framework"]))
            #expect(!Self.elements(in: root, QualifiedName("http://www.w3.org/2007/05/addressing/metadata", "Addressing")).isEmpty)
        }
    }

    @Test("every ?wsdl=NAME and ?xsd=NAME the published WSDLs reference, transitively, is served")
    func everyImportResolves() async throws {
        try await withRunningPlatform { p async throws in
            var pending = ["?wsdl", "?wsdl=token"], seen = Set(pending)
            let reference = try Regex(##"\##(NSRegularExpression.escapedPattern(for: p.serviceURL))(\?(?:wsdl|xsd)=[^"#]+)"##)
            while let query = pending.popLast() {
                let (status, text) = try await p.get(SOAPHeaders.path + query)
                #expect(status == .ok, "\(query)")
                for match in text.matches(of: reference) {
                    let next = String(match.output[1].substring ?? "")
                    if seen.insert(next).inserted { pending.append(next) }
                }
            }
            #expect(seen.isSuperset(of: ["?wsdl=token/policies.wsdl", "?wsdl=sp/ServiceplatformFaultMessage_1.wsdl", "?xsd=Kontanthjaelp_2.xsd",
                                         "?xsd=sp/ServiceplatformFault_1.xsd", "?xsd=sp/AuthorityContext_1.xsd", "?xsd=sp/CallContext_1.xsd"]))
        }
    }

    @Test("both WSDLs on disk declare ServiceplatformFault on both operations")
    func faultOnBothWSDLs() throws {
        for file in ["context/Kontanthjaelp.wsdl", "token/Kontanthjaelp.wsdl"] {
            let text = try String(contentsOfFile: TestPaths.wsdlDirectory + "/" + file, encoding: .utf8)
            let root = try #require(try XMLDocument(parsing: Array(text.utf8)).root)
            let portType = try #require(Self.elements(in: root, Self.wsdl("portType")).first)
            let operations = portType.children(named: Self.wsdl("operation"))
            #expect(operations.count == 2, "\(file)")
            for operation in operations {
                #expect(operation.children(named: Self.wsdl("fault")).compactMap { $0.attribute("name") } == ["ServiceplatformFault"], "\(file)")
            }
        }
    }

    // MARK: The contract package (?package)

    static let packageEntries: Set<String> = [
        "Kontanthjaelp_2.xsd",
        "sp/AuthorityContext_1.xsd", "sp/CallContext_1.xsd", "sp/ServiceplatformFault_1.xsd", "sp/ServiceplatformFaultMessage_1.wsdl",
        "sp/Fejl_1.xsd", "sp/service.properties",
        "wsdl/context/Kontanthjaelp.wsdl", "wsdl/token/Kontanthjaelp.wsdl", "wsdl/token/policies.wsdl",
    ]

    @Test("?package is a ZIP in the real platform's layout whose WSDLs and XSDs work offline")
    func packageServed() async throws {
        try await withRunningPlatform { p async throws in
            let (status, headers, zip) = try await Self.download(p, SOAPHeaders.path + "?package")
            #expect(status == .ok)
            #expect(headers["content-type"] == "application/zip")
            #expect(headers["content-disposition"] == "attachment; filename=\"JC_Kontanthjaelp_2.zip\"")
            let files = try Self.unzip(zip)
            #expect(Set(files.keys).isSuperset(of: Self.packageEntries), "\(files.keys.sorted())")
            let properties = String(decoding: files["sp/service.properties"] ?? Data(), as: UTF8.self)
            #expect(properties.contains("service.uuid=54b957dc-b2f7-41b1-9e2d-709ad9458a04"))
            #expect(properties.contains("service.entityID=urn:serviceplatform:service:JC:Kontanthjaelp:2"))

            // Relative references were moved with the files: wsdl/<model>/ is two levels below the root.
            let context = String(decoding: files["wsdl/context/Kontanthjaelp.wsdl"] ?? Data(), as: UTF8.self)
            #expect(context.contains("schemaLocation=\"../../Kontanthjaelp_2.xsd\""))
            #expect(context.contains("location=\"../../sp/ServiceplatformFaultMessage_1.wsdl\""))
            let token = String(decoding: files["wsdl/token/Kontanthjaelp.wsdl"] ?? Data(), as: UTF8.self)
            #expect(token.contains("location=\"policies.wsdl\""))
            #expect(token.contains("URI=\"policies.wsdl#ServiceplatformBindingPolicy\""))
            #expect(!token.contains("?wsdl="), "the package is for offline use")

            let dir = NSTemporaryDirectory() + "contract-package-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            for (path, data) in files {
                let url = URL(fileURLWithPath: dir + "/" + path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            }
            // Every relative reference resolves to a file inside the extracted package.
            let reference = #/\s(?:location|schemaLocation)="([^"]*)"/#
            for (path, data) in files where path.hasSuffix(".wsdl") || path.hasSuffix(".xsd") {
                for match in String(decoding: data, as: UTF8.self).matches(of: reference) where !match.output.1.contains("://") {
                    let target = URL(fileURLWithPath: dir + "/" + path).deletingLastPathComponent().appendingPathComponent(String(match.output.1)).standardizedFileURL.path
                    #expect(target.hasPrefix(URL(fileURLWithPath: dir).standardizedFileURL.path + "/") && FileManager.default.fileExists(atPath: target),
                            "\(path) -> \(match.output.1)")
                }
            }
            // Each XSD compiles offline, and the message schema validates the example messages.
            for path in files.keys where path.hasSuffix(".xsd") {
                let (_, output) = try Self.run("/usr/bin/xmllint", ["--noout", "--nonet", "--schema", dir + "/" + path, "/dev/null"])
                #expect(!output.contains("compile"), "\(path): \(output)")
            }
            for message in ["ret-bevilling.xml", "slet-bevilling.xml"] {
                let (code, output) = try Self.run("/usr/bin/xmllint", ["--noout", "--nonet", "--schema", dir + "/Kontanthjaelp_2.xsd",
                                                                       TestPaths.repositoryRoot.path + "/Tests/Fixtures/messages/" + message])
                #expect(code == 0, "\(message): \(output)")
            }
            // A generated client (zeep) loads both WSDLs from the extracted folder, nothing else.
            for (model, binding) in [("context", "KontanthjaelpSoap11Binding"), ("token", "KontanthjaelpTokenSoap11Binding")] {
                let (code, output) = try Self.run("/usr/bin/env", ["python3", "-m", "zeep", dir + "/wsdl/\(model)/Kontanthjaelp.wsdl"])
                #expect(code == 0, "\(model): \(output)")
                #expect(output.contains("{urn:serviceplatform:jc:kontanthjaelp:2:wsdl}\(binding)"), "\(model): \(output)")
                #expect(output.contains("RetBevilling(") && output.contains("SletBevilling("), "\(model): \(output)")
            }
        }
    }

    @Test("the package carries the platform's response-signing certificate and the STS certificate")
    func packageCertificates() async throws {
        let contract = try PublishedContract(directory: TestPaths.wsdlDirectory, signingCertificatePEM: "SIGNING PEM", stsCertificatePEM: "STS PEM")
        let files = try Self.unzip(contract.contractPackage.archive(endpoint: PublishedContract.addressInFiles))
        #expect(files["sp/signing-certificate.pem"] == Data("SIGNING PEM".utf8))
        #expect(files["sp/sts-certificate.pem"] == Data("STS PEM".utf8))
        #expect(Set(contract.contractPackage.entryPaths) == Set(files.keys))

        try await withRunningPlatform { p async throws in
            let (_, _, zip) = try await Self.download(p, SOAPHeaders.path + "?package")
            let served = try Self.unzip(zip)
            #expect(served["sp/signing-certificate.pem"].map { String(decoding: $0, as: UTF8.self) } == p.pki.responseSigning.certificatePEM)
            #expect(served["sp/sts-certificate.pem"].map { String(decoding: $0, as: UTF8.self) } == p.pki.sts.certificatePEM)
        }
    }

    @Test("the package's WSDLs name the address the client used, as ?wsdl does, not localhost:8443")
    func packageAddressRewritten() async throws {
        try await withRunningPlatform { p async throws in
            let host = "router.example:9443"
            let (status, _, zip) = try await Self.download(p, SOAPHeaders.path + "?package", host: host)
            #expect(status == .ok)
            let files = try Self.unzip(zip)
            let address = "location=\"https://\(host)/service/JC/Kontanthjaelp/2\""
            let context = String(decoding: try #require(files["wsdl/context/Kontanthjaelp.wsdl"]), as: UTF8.self)
            let token = String(decoding: try #require(files["wsdl/token/Kontanthjaelp.wsdl"]), as: UTF8.self)
            #expect(context.contains("<soap:address \(address)"))
            #expect(context.contains("<soap12:address \(address)"))
            #expect(token.contains("<soap:address \(address)"))
            for (path, data) in files {
                #expect(!String(decoding: data, as: UTF8.self).contains("localhost:8443"), "\(path)")
            }
            // The same address ?wsdl gives the same client.
            let (_, _, wsdl) = try await Self.download(p, SOAPHeaders.path + "?wsdl", host: host)
            #expect(String(decoding: wsdl, as: UTF8.self).contains("<soap:address \(address)"))
        }
    }

    // MARK: Helpers

    static func wsdl(_ local: String) -> QualifiedName { QualifiedName("http://schemas.xmlsoap.org/wsdl/", local) }

    /// Every element named `name` at or below `element`, in document order.
    static func elements(in element: XMLElement, _ name: QualifiedName) -> [XMLElement] {
        (element.is(name) ? [element] : []) + element.children.flatMap { elements(in: $0, name) }
    }

    /// A GET on the service port without a client certificate, as bytes; `host`: the Host header
    /// to send (as a client that reached the platform under another name).
    static func download(_ p: RunningPlatform, _ pathAndQuery: String, host: String? = nil) async throws -> (HTTPResponse.Status, [String: String], Data) {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(p.ports["service"]!)\(pathAndQuery)")
        request.tlsConfiguration = try p.tls(.none)
        if let host { request.headers.add(name: "Host", value: host) }
        let response = try await p.client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        let headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        return (HTTPResponse.Status(code: Int(response.status.code)), headers, Data(body.readableBytesView))
    }

    /// The files of a ZIP, by path, read with ZIPFoundation.
    static func unzip(_ zip: Data) throws -> [String: Data] {
        let archive = try Archive(data: zip, accessMode: .read)
        var files: [String: Data] = [:]
        for entry in archive where entry.type == .file {
            var content = Data()
            _ = try archive.extract(entry) { content.append($0) }
            files[entry.path] = content
        }
        return files
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        try Subprocess.run([executable] + arguments)
    }
}
