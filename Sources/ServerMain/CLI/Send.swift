import ArgumentParser
import AsyncHTTPClient
import Foundation
import GrantService
import NIOCore
import NIOSSL
import SOAPCodec
import ServicePlatform

/// `serviceplatform send ret-bevilling|slet-bevilling`: one real call, as a tester would make it,
/// under either security model; prints the receipt or the fault, and exits non-zero on a fault.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send one Ret/Slet bevilling call and print the receipt or fault.")

    enum Operation: String, ExpressibleByArgument, CaseIterable { case retBevilling = "ret-bevilling", sletBevilling = "slet-bevilling" }
    enum Security: String, ExpressibleByArgument, CaseIterable { case authorityContext = "authority-context", saml }

    @Argument(help: "ret-bevilling or slet-bevilling") var operation: Operation
    @Option(help: "authority-context (mutual TLS) or saml (token from the STS, signed message).") var security: Security = .authorityContext
    @Option(help: "The service endpoint.") var endpoint = "https://127.0.0.1:8443/service/JC/Kontanthjaelp/2"
    @Option(help: "The STS token URL (default: /sts/token on the endpoint's host).") var sts: String?
    @Option(help: "Data folder of a local exttest, for default certificate, key and CA.") var dataDir = "data"
    @Option(help: "Client certificate PEM (default <data-dir>/pki/ky-demo.pem).") var cert: String?
    @Option(help: "Client private key PEM (default <data-dir>/pki/ky-demo-key.pem).") var key: String?
    @Option(help: "Client certificate and key as PKCS#12 (instead of --cert/--key).") var pkcs12: String?
    @Option(help: "Passphrase of the PKCS#12 file.") var passphrase: String?
    @Option(help: "CA certificate PEM that the endpoint's certificate chains to (default <data-dir>/pki/ca.pem).") var cafile: String?
    @Option(help: "The municipality's CVR (AuthorityContext / token).") var cvr = "64942212"
    @Option(help: "Myndighedskode (municipality code).") var myndighedskode = "101"
    @Option(help: "CPR number (a test number by default).") var cpr = "0101901234"
    @Option(help: "BeskedID (generated when left out).") var beskedId: String?
    @Option(help: "BevillingID (generated when left out).") var bevillingId: String?
    @Option(help: "AfsenderSystem.") var afsenderSystem = "KY"
    @Option(help: "Ydelsestype.") var ydelsestype = "Kontanthjaelp"
    @Option(help: "Status: Afgjort, IGang or Stoppet.") var status = "Afgjort"
    @Option(help: "AfgoerelsesDato (YYYY-MM-DD, default today).") var afgoerelsesDato: String?
    @Option(help: "Virkning/FraDato (YYYY-MM-DD, default today).") var fraDato: String?
    @Option(help: "Virkning/TilDato (YYYY-MM-DD).") var tilDato: String?
    @Option(help: "Jobcentersag/SagID.") var sagId: String?
    @Option(help: "Kontaktforloeb/KontaktforloebID.") var kontaktforloebId: String?
    @Option(help: "The platform's response-signing certificate (default <data-dir>/pki/response-signing.pem); SAML answers must verify with it.")
    var signingCert: String?
    @Flag(help: "Use SOAP 1.2 (AuthorityContext model only).") var soap12 = false
    @Flag(help: "Print the raw request and response.") var xml = false

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run() async throws {
        let request = try buildRequest()
        let operationSpec = operation == .retBevilling ? Kontanthjaelp.retBevilling : Kontanthjaelp.sletBevilling
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let tls = try tlsConfiguration()
            var body: [UInt8]
            var contentType: String
            var headers: [(String, String)] = []
            switch security {
            case .authorityContext:
                let version: SOAPVersion = soap12 ? .soap12 : .soap11
                body = SOAPMessageWriter.envelope(version, body: request.callerMarkup(authorityCVR: cvr, callContext: [("OnBehalfOfUser", "serviceplatform send")]))
                contentType = version.contentType(action: soap12 ? operationSpec.action : nil)
                if !soap12 { headers.append(("SOAPAction", "\"\(operationSpec.action)\"")) }
            case .saml:
                let assertion = try await fetchToken(client: client, tls: tls)
                body = try signer().envelope(payload: request.callerMarkup(authorityCVR: nil), assertion: assertion,
                                             action: operationSpec.action, to: endpoint)
                contentType = SOAPVersion.soap11.contentType()
                headers.append(("SOAPAction", "\"\(operationSpec.action)\""))
            }
            if xml { Console.line("--- request\n" + String(decoding: body, as: UTF8.self)) }
            var call = HTTPClientRequest(url: endpoint)
            call.method = .POST
            call.headers.add(name: "Content-Type", value: contentType)
            for (name, value) in headers { call.headers.add(name: name, value: value) }
            call.body = .bytes(ByteBuffer(bytes: body))
            call.tlsConfiguration = tls
            let response = try await client.execute(call, timeout: .seconds(30))
            let answer = String(buffer: try await response.body.collect(upTo: 4 << 20))
            if xml { Console.line("--- response (HTTP \(response.status.code))\n" + answer) }
            try await client.shutdown()
            if security == .saml, response.status.code == 200 {
                let verifier = try SignedResponseVerifier(signingCertificatePEM: String(contentsOfFile: path(signingCert, "response-signing.pem"), encoding: .utf8))
                let covered = try verifier.verify(Array(answer.utf8))
                Console.line("response signature verified (covers \(covered.joined(separator: ", ")))")
            }
            try report(answer)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Prints the receipt's fields or the fault; a fault is a failure exit.
    func report(_ answer: String) throws {
        let document = try XMLDocument(parsing: Array(answer.utf8))
        guard let root = document.root else { throw Failure(description: "the answer is not XML") }
        let kh = { (name: String) in root.descendants(named: Kontanthjaelp.name(name)).first?.text }
        if let status = kh("Status") {
            Console.line("\(status)  BeskedID=\(kh("BeskedID") ?? "-")  TransaktionsID=\(kh("TransaktionsID") ?? "-")  ModtagerSystem=\(kh("ModtagerSystem") ?? "-")  ModtagetTidspunkt=\(kh("ModtagetTidspunkt") ?? "-")")
            for fejl in root.descendants(named: Kontanthjaelp.name("Fejl")) {
                Console.line("  Fejl \(fejl.child(named: Kontanthjaelp.name("Kode"))?.text ?? ""): \(fejl.child(named: Kontanthjaelp.name("Tekst"))?.text ?? "")")
            }
            return
        }
        let fejl = { (name: String) in root.descendants(named: QualifiedName(FaultMessage.fejlNamespace, name)).first?.text }
        throw Failure(description: "fault \(fejl("Kode") ?? "?"): \(fejl("Tekst") ?? answer.prefix(300).description)  TransaktionsID=\(fejl("TransaktionsID") ?? "-")")
    }

    func buildRequest() throws -> GrantRequest {
        let today = CalendarDate.today()
        func date(_ text: String?, _ name: String) throws -> CalendarDate {
            guard let text else { return today }
            guard let parsed = CalendarDate(xsDate: text) else { throw Failure(description: "--\(name) must be YYYY-MM-DD") }
            return parsed
        }
        guard let code = Myndighedskode(myndighedskode) else { throw Failure(description: "--myndighedskode must be three digits") }
        guard let cprNummer = CPRNummer(cpr) else { throw Failure(description: "--cpr must be ten digits") }
        let header = MessageHeader(beskedID: beskedId ?? UUID().uuidString.lowercased(), beskedTidspunkt: XSDateTimeText.now(),
                                   afsenderSystem: afsenderSystem, myndighedskode: code, cprNummer: cprNummer)
        let bevilling = bevillingId ?? UUID().uuidString.lowercased()
        switch operation {
        case .sletBevilling:
            return .slet(SletBevilling(header: header, bevillingID: bevilling, sagID: sagId, kontaktforloebID: kontaktforloebId))
        case .retBevilling:
            guard let type = Bevilling.Ydelsestype(rawValue: ydelsestype) else {
                throw Failure(description: "--ydelsestype must be one of \(Bevilling.Ydelsestype.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let state = Bevilling.Status(rawValue: status) else {
                throw Failure(description: "--status must be one of \(Bevilling.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .ret(RetBevilling(header: header, bevilling: Bevilling(
                bevillingID: bevilling, ydelsestype: type, status: state, afgoerelsesDato: try date(afgoerelsesDato, "afgoerelses-dato"),
                fraDato: try date(fraDato, "fra-dato"), tilDato: try tilDato.map { try date($0, "til-dato") },
                sagID: sagId, kontaktforloebID: kontaktforloebId)))
        }
    }

    func path(_ given: String?, _ file: String) -> String { given ?? "\(dataDir)/pki/\(file)" }

    func tlsConfiguration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(path(cafile, "ca.pem"))
        if let pkcs12 {
            let bundle = try NIOSSLPKCS12Bundle(file: pkcs12, passphrase: Array((passphrase ?? "").utf8))
            tls.certificateChain = bundle.certificateChain.map { .certificate($0) }
            tls.privateKey = .privateKey(bundle.privateKey)
        } else {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(path(cert, "ky-demo.pem")).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: path(key, "ky-demo-key.pem"), format: .pem))
        }
        return tls
    }

    func signer() throws -> TokenMessageSigner {
        if let pkcs12 {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pkcs12)))
            return TokenMessageSigner(key: try SignatureKey(pkcs12: bytes, passphrase: passphrase ?? ""))
        }
        return try TokenMessageSigner(privateKeyPEM: String(contentsOfFile: path(key, "ky-demo-key.pem"), encoding: .utf8))
    }

    func fetchToken(client: HTTPClient, tls: TLSConfiguration) async throws -> String {
        let url = sts ?? endpoint.replacingOccurrences(of: "/service/JC/Kontanthjaelp/2", with: "/sts/token")
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(["cvr": cvr, "audience": PlatformSettings.defaultAudience])))
        request.tlsConfiguration = tls
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status.code == 200 else { throw Failure(description: "the STS refused a token (HTTP \(response.status.code)): \(body)") }
        if xml { Console.line("--- token\n" + body) }
        return body
    }
}

/// BeskedTidspunkt: now, with zone, as the schema requires.
enum XSDateTimeText {
    static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return formatter.string(from: Date())
    }
}
