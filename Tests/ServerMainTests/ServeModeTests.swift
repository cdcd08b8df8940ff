import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

/// `serve` without `--exttest`: what a production deployment runs. The data folder's test CA,
/// the built-in STS and self-service test certificates are the exttest environment's, and stay
/// off; certificates come from the files a deployment names.
@Suite("serve without --exttest")
struct ServeModeTests {
    /// Runs `body` against a platform as `serve` builds it without `--exttest`, stopped after.
    static func withServe(_ configure: (inout PlatformSettings) -> Void = { _ in },
                          _ body: (RunningPlatform) async throws -> Void) async throws {
        try await withRunningPlatform(configure: { settings in
            settings.exttest = false
            configure(&settings)
        }, body)
    }

    @Test("trust confusion: a certificate from the data folder's test CA is SP-2001, though registered, until that CA is configured as a client trust root")
    func testCANotTrusted() async throws {
        try await Self.withServe { p async throws in
                let (envelope, besked) = retCall()
                try await expectRefused(p, try await p.post(envelope), code: "SP-2001", beskedID: besked)
        }
        try await Self.withServe({ $0.clientTrustRoots = [SharedTestPKI.directory + "/ca.pem"] }) { trusting async throws in
            let (status, reply) = try await trusting.post(retCall().0)
            #expect(status == .ok && reply.receiptStatus == "Modtaget", "\(reply.text.prefix(300))")
        }
    }

    @Test("no built-in STS, no test certificates, and no STS certificate in the package unless an STS is configured")
    func exttestPartsOff() async throws {
        try await Self.withServe { p async throws in
            #expect(try await p.token().0 == 404)
            let (status, _) = try await p.admin(.post, "/admin/api/test-certificates", json: #"{"name": "x", "passphrase": "long enough"}"#)
            #expect(status == 404)
            var request = HTTPClientRequest(url: p.serviceURL + "?package")
            request.tlsConfiguration = try p.tls(.none)
            let response = try await p.client.execute(request, timeout: .seconds(30))
            let zip = Array(buffer: try await response.body.collect(upTo: 1 << 22))
            #expect(response.status.code == 200)
            #expect(!String(decoding: zip, as: UTF8.self).contains("sp/sts-certificate.pem"))
            #expect(String(decoding: zip, as: UTF8.self).contains("sp/signing-certificate.pem"))
        }
    }

    @Test("the service listener presents the certificate --tls-cert names")
    func listenerCertificate() async throws {
        // Any certificate of ours will do as the deployment's own: the demo jobcenter's.
        let jobcenter = (certificate: SharedTestPKI.directory + "/jobcenter-server.pem", key: SharedTestPKI.directory + "/jobcenter-server-key.pem")
        try await Self.withServe({ $0.tlsCertificate = jobcenter }) { p async throws in
            let (_, output) = try Subprocess.run(["/bin/sh", "-c",
                "openssl s_client -connect 127.0.0.1:\(p.ports["service"]!) -servername 127.0.0.1 </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"])
            let presented = output.split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "").lowercased() }?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let der = try CertificateAuthority.load(certificatePEM: try String(contentsOfFile: jobcenter.certificate, encoding: .utf8),
                                                    privateKeyPEM: try String(contentsOfFile: jobcenter.key, encoding: .utf8)).root.certificateDER
            #expect(presented == CertificateFingerprint.sha256(der), "\(output)")
        }
    }

    @Test("receivers are presented the certificate --client-cert names, not the data folder's generated one")
    func receiverFacingCertificate() async throws {
        let own = (certificate: SharedTestPKI.directory + "/ky-demo.pem", key: SharedTestPKI.directory + "/ky-demo-key.pem")
        try await Self.withServe({ settings in
            settings.clientCertificate = own
            settings.clientTrustRoots = [SharedTestPKI.directory + "/ca.pem"]
        }) { p async throws in
            let fake = try await FakeReceiver.start(pki: p.pki)
            try await RoutingTests.moveReceiver(p, to: fake.url("/peer-certificate"))
            let (status, reply) = try await p.post(retCall().0)
            let seen = fake.peerCertificates
            await fake.stop()
            #expect(status == .ok && reply.receiptStatus == "Modtaget", "\(reply.text.prefix(300))")
            let ownDER = try CertificateAuthority.load(certificatePEM: try String(contentsOfFile: own.certificate, encoding: .utf8),
                                                       privateKeyPEM: try String(contentsOfFile: own.key, encoding: .utf8)).root.certificateDER
            #expect(seen == [CertificateFingerprint.sha256(ownDER)])
        }
    }

    @Test("misconfiguration: a response-signing key that is not the signing certificate's is refused at start, and --signing-cert needs --signing-key")
    func signingPair() async throws {
        let dir = SharedTestPKI.directory
        let certificate = try String(contentsOfFile: dir + "/response-signing.pem", encoding: .utf8)
        // Every SAML-model answer signed with another key would fail the client's check against
        // the published certificate; the platform must not start that way.
        #expect(throws: ResponseSigner.KeyMismatch.self) {
            try ResponseSigner(certificatePEM: certificate, privateKeyPEM: String(contentsOfFile: dir + "/sts-key.pem", encoding: .utf8))
        }
        await #expect(throws: ResponseSigner.KeyMismatch.self) {
            try await Self.withServe({ $0.signingCertificate = (dir + "/response-signing.pem", dir + "/sts-key.pem") }) { _ in }
        }
        _ = try ResponseSigner(certificatePEM: certificate, privateKeyPEM: String(contentsOfFile: dir + "/response-signing-key.pem", encoding: .utf8))
        #expect(throws: PlatformOptions.IncompletePair.self) { try PlatformOptions.parse(["--signing-cert", "c.pem"]).resolved(environment: [:]) }
        let both = try PlatformOptions.parse(["--signing-cert", "c.pem", "--signing-key", "k.pem"]).resolved(environment: [:])
        #expect(both.signingCertificate?.certificate == "c.pem" && both.signingCertificate?.key == "k.pem")
    }

    @Test("--exttest (or SERVICEPLATFORM_EXTTEST) turns the exttest parts on for serve; a certificate flag needs its key flag")
    func options() throws {
        #expect(try PlatformOptions.parse(["--data-dir", "d"]).resolved(environment: [:]).exttest == false)
        #expect(try PlatformOptions.parse(["--exttest"]).resolved(environment: [:]).exttest == true)
        #expect(try PlatformOptions.parse([]).resolved(environment: ["SERVICEPLATFORM_EXTTEST": "true"]).exttest == true)
        let both = try PlatformOptions.parse(["--tls-cert", "c.pem", "--tls-key", "k.pem"]).resolved(environment: [:])
        #expect(both.tlsCertificate?.certificate == "c.pem" && both.tlsCertificate?.key == "k.pem")
        #expect(throws: PlatformOptions.IncompletePair.self) { try PlatformOptions.parse(["--client-cert", "c.pem"]).resolved(environment: [:]) }
        #expect(throws: PlatformOptions.IncompletePair.self) {
            try PlatformOptions.parse([]).resolved(environment: ["SERVICEPLATFORM_TLS_KEY": "k.pem"])
        }
    }
}
