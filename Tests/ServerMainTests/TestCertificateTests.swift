import AsyncHTTPClient
import Foundation
import SOAPCodec
import NIOCore
import NIOHTTP1
import NIOSSL
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

@Suite("Self-service test certificates (PKCS#12)")
struct TestCertificateTests {
    /// POSTs to /admin/api/test-certificates; returns status, headers and body bytes.
    static func request(_ p: RunningPlatform, json: String, token: String? = "test-admin-token") async throws -> (Int, HTTPHeaders, [UInt8]) {
        var request = HTTPClientRequest(url: p.adminURL + "/admin/api/test-certificates")
        request.method = .POST
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await p.client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers, Array(body.readableBytesView))
    }

    @Test("a PKCS#12 under the passphrase: NIOSSL and openssl open it, its certificate is registered to the new system and can call")
    func issues() async throws {
        try await withRunningPlatform { p async throws in
            let passphrase = "correct horse"
            let (status, headers, body) = try await Self.request(p, json: #"{"name": "Vendor test", "passphrase": "\#(passphrase)"}"#)
            #expect(status == 200)
            #expect(headers.first(name: "Content-Type") == "application/x-pkcs12")
            let systemID = try #require(headers.first(name: "X-System-Id"))
            let bundle = try NIOSSLPKCS12Bundle(buffer: body, passphrase: Array(passphrase.utf8))
            let leaf = try #require(bundle.certificateChain.first)
            let fingerprint = CertificateFingerprint.sha256(try leaf.toDERBytes())
            let contents = try await p.platform.store.registryContents()
            #expect(contents.systems.first { $0.id == systemID }?.name == "Vendor test")
            #expect(contents.certificates.first { $0.sha256 == fingerprint }?.systemID == systemID)
            #expect(bundle.certificateChain.count == 2, "leaf and the exttest CA")
            // The wrong passphrase opens nothing.
            #expect(throws: (any Error).self) { try NIOSSLPKCS12Bundle(buffer: body, passphrase: Array("wrong passphrase".utf8)) }
            // OpenSSL's own reader agrees.
            let file = p.dataDirectory + "/issued.p12"
            try Data(body).write(to: URL(fileURLWithPath: file))
            let info = try Self.openssl(["pkcs12", "-info", "-nokeys", "-in", file, "-passin", "pass:\(passphrase)"])
            #expect(info.status == 0, "\(info.output)")
            #expect(info.output.contains("CN = Vendor test"))
            #expect(info.output.contains("AES-256-CBC"))
            #expect(try Self.openssl(["pkcs12", "-info", "-nokeys", "-in", file, "-passin", "pass:nope-nope"]).status != 0)
            // With MONOPOLBRUD and an approved agreement, the certificate from the file makes a call.
            _ = try await p.admin(.post, "/admin/api/systems/\(systemID)/visibility-groups", json: #"{"group": "MONOPOLBRUD"}"#)
            let (_, created) = try await p.admin(.post, "/admin/api/agreements", json: #"{"systemId": "\#(systemID)", "service": "JC/Kontanthjaelp/2", "municipalityCvr": "64942212"}"#)
            _ = try await p.admin(.post, "/admin/api/agreements/\(try RunningPlatform.field("id", in: created))/approve")
            var call = HTTPClientRequest(url: p.serviceURL)
            call.method = .POST
            call.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
            call.headers.add(name: "SOAPAction", value: "\"\(SampleMessages.retAction)\"")
            call.body = .bytes(ByteBuffer(string: retCall().0))
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(p.pki.ca.certificatePEM.utf8)))
            tls.certificateChain = bundle.certificateChain.map { .certificate($0) }
            tls.privateKey = .privateKey(bundle.privateKey)
            call.tlsConfiguration = tls
            let response = try await p.client.execute(call, timeout: .seconds(30))
            let reply = ReplyReader(Array(try await response.body.collect(upTo: 1 << 20).readableBytesView))
            #expect(reply.receiptStatus == "Modtaget")
        }
    }

    @Test("a passphrase of 7 characters is 400 with a message, and no system is created")
    func shortPassphrase() async throws {
        try await withRunningPlatform { p async throws in
            let before = try await p.platform.store.registryContents().systems.count
            let (status, _, body) = try await Self.request(p, json: #"{"name": "Vendor test", "passphrase": "1234567"}"#)
            #expect(status == 400)
            #expect(String(decoding: body, as: UTF8.self).contains("passphrase must be at least 8 characters"))
            #expect(try await p.platform.store.registryContents().systems.count == before)
        }
    }

    @Test("without the admin token, or with a wrong one, no certificate is issued", arguments: [nil, "wrong"] as [String?])
    func token(_ token: String?) async throws {
        try await withRunningPlatform { p async throws in
            let before = try await p.platform.store.registryContents().systems.count
            #expect(try await Self.request(p, json: #"{"name": "x", "passphrase": "long enough"}"#, token: token).0 == 401)
            #expect(try await p.platform.store.registryContents().systems.count == before)
        }
    }

    @Test("a name that is empty is 400 and nothing is created")
    func emptyName() async throws {
        try await withRunningPlatform { p async throws in
            let before = try await p.platform.store.registryContents().systems.count
            let (status, _, body) = try await Self.request(p, json: #"{"name": "  ", "passphrase": "long enough"}"#)
            #expect(status == 400)
            #expect(String(decoding: body, as: UTF8.self).contains("name"))
            #expect(try await p.platform.store.registryContents().systems.count == before)
        }
    }

    @Test("PKCS12Bundle refuses a key that does not belong to the certificate, and unreadable PEM")
    func bundleRefusals() throws {
        let ca = try CertificateAuthority.create(commonName: "Bundle test CA")
        let one = try ca.issue(commonName: "one", usage: .client), two = try ca.issue(commonName: "two", usage: .client)
        #expect(throws: PKCS12Bundle.Failure.keyDoesNotMatchCertificate) {
            try PKCS12Bundle(certificatePEM: try one.certificatePEM, privateKeyPEM: try two.privateKeyPEM, caPEM: nil, friendlyName: "x", passphrase: "long enough")
        }
        #expect(throws: PKCS12Bundle.Failure.certificateUnreadable) {
            try PKCS12Bundle(certificatePEM: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----", privateKeyPEM: try one.privateKeyPEM,
                             caPEM: nil, friendlyName: "x", passphrase: "long enough")
        }
        #expect(throws: PKCS12Bundle.Failure.keyUnreadable) {
            try PKCS12Bundle(certificatePEM: try one.certificatePEM, privateKeyPEM: "garbage", caPEM: nil, friendlyName: "x", passphrase: "long enough")
        }
        #expect(throws: PKCS12Bundle.Failure.caUnreadable) {
            try PKCS12Bundle(certificatePEM: try one.certificatePEM, privateKeyPEM: try one.privateKeyPEM, caPEM: "garbage", friendlyName: "x", passphrase: "long enough")
        }
        let good = try PKCS12Bundle(certificatePEM: try one.certificatePEM, privateKeyPEM: try one.privateKeyPEM, caPEM: try ca.root.certificatePEM,
                                    friendlyName: "one", passphrase: "long enough")
        let parsed = try NIOSSLPKCS12Bundle(buffer: good.der, passphrase: Array("long enough".utf8))
        #expect(try parsed.certificateChain.first?.toDERBytes() == (try one.certificateDER))
    }

    static func openssl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Subprocess.run(["/usr/bin/openssl"] + arguments)
    }
}
