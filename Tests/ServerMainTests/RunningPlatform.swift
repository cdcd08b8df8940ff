import AsyncHTTPClient
import Foundation
import GRDB
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import PlatformTestSupport
import ServiceLifecycle
import ServicePlatform
import Synchronization
@testable import ServerMain

/// The test PKI, generated once per test process and copied into each platform's data folder.
enum SharedTestPKI {
    static let directory: String = {
        let dir = NSTemporaryDirectory() + "sp-test-pki-\(UUID().uuidString)"
        _ = try! ExttestPKI.ensure(dataDirectory: dir)
        return dir + "/pki"
    }()

    /// A second, unrelated CA: certificates from it must never be trusted.
    static let foreignCA: CertificateAuthority = try! CertificateAuthority.create(commonName: "Some other CA")
}

/// Which client certificate a test call presents.
enum CallerIdentityChoice {
    case kyDemo
    case none
    case certificate(IssuedCertificate)
}

/// The real platform as `demo` runs it (HTTPS router, admin API, demo jobcenter over mutual
/// TLS, SQLite), on 127.0.0.1 with free ports, plus an HTTPS client that can present any certificate.
final class RunningPlatform: Sendable {
    let platform: Platform
    let ports: [String: Int]
    let dataDirectory: String
    let client: HTTPClient
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var serviceURL: String { "https://127.0.0.1:\(ports["service"]!)\(SOAPHeaders.path)" }
    var adminURL: String { "http://127.0.0.1:\(ports["admin"]!)" }
    var pki: ExttestPKI { platform.pki }

    private init(platform: Platform, ports: [String: Int], dataDirectory: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.platform = platform
        self.ports = ports
        self.dataDirectory = dataDirectory
        self.group = group
        self.task = task
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// `databaseURL`: PostgreSQL instead of the SQLite file (several instances may share one).
    /// `logger`: where the platform logs (nothing below critical by default).
    static func start(forwardTimeoutMs: Int = 10_000, trustedSTS: (file: String, entityID: String)? = nil,
                      databaseURL: String? = nil, logger: Logger? = nil,
                      configure: (inout PlatformSettings) -> Void = { _ in }) async throws -> RunningPlatform {
        let dataDirectory = NSTemporaryDirectory() + "sp-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SharedTestPKI.directory, toPath: dataDirectory + "/pki")
        var settings = PlatformSettings(dataDirectory: dataDirectory, servicePort: 0, adminPort: 0, bindAddress: "127.0.0.1",
                                        adminToken: "test-admin-token", wsdlDirectory: TestPaths.wsdlDirectory, maxBodyBytes: 1 << 20,
                                        clientTrustRoots: [], jobcenterPort: 0, forwardConnectTimeoutMs: 2_000, forwardTimeoutMs: forwardTimeoutMs,
                                        trustedSTS: trustedSTS)
        settings.databaseURL = databaseURL
        configure(&settings)
        let logger = logger ?? {
            var quiet = Logger(label: "test")
            quiet.logLevel = .critical
            return quiet
        }()
        let platform = try await Platform.build(settings: settings, logger: logger)
        let ready = ReadyLine(host: "127.0.0.1", expected: ["service", "admin", "jobcenter"], printLine: false)
        let services = try PlatformRunner.services(platform, withDemoJobcenter: true, ready: ready)
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        let task = Task { try await group.run() }
        let ports = await ready.allBound()
        return RunningPlatform(platform: platform, ports: ports, dataDirectory: dataDirectory, group: group, task: task)
    }

    /// Shuts down gracefully; returns what the service group ended with (nil: a clean end).
    @discardableResult
    func stop() async -> (any Error)? {
        try? await client.shutdown()
        await group.triggerGracefulShutdown()
        var ended: (any Error)?
        do { try await task.value } catch { ended = error }
        try? FileManager.default.removeItem(atPath: dataDirectory)
        return ended
    }

    // MARK: Calls

    func tls(_ identity: CallerIdentityChoice) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pki.ca.certificatePEM.utf8)))
        switch identity {
        case .none:
            break
        case .kyDemo:
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(pki.demoCaller.certificatePEM.utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.demoCaller.keyPEM.utf8), format: .pem))
        case .certificate(let issued):
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(try issued.certificatePEM.utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(try issued.privateKeyPEM.utf8), format: .pem))
        }
        return tls
    }

    /// POSTs to the service endpoint over TLS with the chosen client certificate.
    func post(_ body: [UInt8], headers: HTTPFields = SOAPHeaders.soap11(), as identity: CallerIdentityChoice = .kyDemo,
              path: String? = nil) async throws -> (HTTPResponse.Status, ReplyReader) {
        var request = HTTPClientRequest(url: path.map { "https://127.0.0.1:\(ports["service"]!)\($0)" } ?? serviceURL)
        request.method = .POST
        for field in headers { request.headers.add(name: field.name.rawName, value: field.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        request.tlsConfiguration = try tls(identity)
        let response = try await client.execute(request, timeout: .seconds(30))
        let reply = try await response.body.collect(upTo: 16 << 20)
        return (HTTPResponse.Status(code: Int(response.status.code)), ReplyReader(Array(reply.readableBytesView)))
    }

    func post(_ body: String, headers: HTTPFields = SOAPHeaders.soap11(), as identity: CallerIdentityChoice = .kyDemo,
              path: String? = nil) async throws -> (HTTPResponse.Status, ReplyReader) {
        try await post(Array(body.utf8), headers: headers, as: identity, path: path)
    }

    /// GETs from the service port without a client certificate.
    func get(_ pathAndQuery: String) async throws -> (HTTPResponse.Status, String) {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(ports["service"]!)\(pathAndQuery)")
        request.tlsConfiguration = try tls(.none)
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (HTTPResponse.Status(code: Int(response.status.code)), String(buffer: body))
    }

    /// Any method on the service path, without a body.
    func send(_ method: HTTPRequest.Method, path: String = SOAPHeaders.path) async throws -> HTTPResponse.Status {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(ports["service"]!)\(path)")
        request.method = .init(rawValue: method.rawValue)
        request.tlsConfiguration = try tls(.kyDemo)
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return HTTPResponse.Status(code: Int(response.status.code))
    }

    /// Calls the admin API; returns status and the JSON body.
    func admin(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, token: String? = "test-admin-token") async throws -> (Int, String) {
        var request = HTTPClientRequest(url: adminURL + path)
        request.method = .init(rawValue: method.rawValue)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    // MARK: What happened, on both sides

    /// How many messages with this BeskedID the demo jobcenter received, from its own database.
    func jobcenterReceived(beskedID: String) throws -> Int {
        let queue = try DatabaseQueue(path: dataDirectory + "/jobcenter.sqlite", configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM received_message WHERE besked_id = ?", arguments: [beskedID]) ?? 0 }
    }

    /// The grant's row in the demo jobcenter's database.
    func jobcenterGrant(_ bevillingID: String) throws -> Row? {
        let queue = try DatabaseQueue(path: dataDirectory + "/jobcenter.sqlite", configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM grant WHERE bevilling_id = ?", arguments: [bevillingID]) }
    }

    /// The platform's audit records for a BeskedID (or a TransaktionsID).
    func audit(beskedID: String) async throws -> [AuditRecord] {
        var query = AuditQuery()
        query.beskedID = beskedID
        return try await platform.store.audit(query)
    }

    func audit(transactionID: String) async throws -> AuditRecord? {
        var query = AuditQuery()
        query.limit = 1000
        return try await platform.store.audit(query).first { $0.transactionID == transactionID }
    }

    /// Registers a new caller system with a fresh certificate, MONOPOLBRUD and (optionally)
    /// an agreement in `agreementState` for `cvr`; returns its id and certificate.
    func registerCaller(name: String = "Test caller", cvr: String = "64942212", agreementState: String? = "approved",
                        group: Bool = true) async throws -> (id: String, certificate: IssuedCertificate, agreementID: String?) {
        let certificate = try pki.authority().issue(commonName: name, usage: .client)
        let (id, agreementID) = try await registerCaller(name: name, certificatePEM: try certificate.certificatePEM, cvr: cvr,
                                                         agreementState: agreementState, group: group)
        return (id, certificate, agreementID)
    }

    /// Registers a system for an existing certificate (e.g. an independent client's).
    func registerCaller(name: String, certificatePEM: String, cvr: String = "64942212", agreementState: String? = "approved",
                        group: Bool = true) async throws -> (id: String, agreementID: String?) {
        let (status, body) = try await admin(.post, "/admin/api/systems",
                                             json: #"{"name": \#(Self.json(name)), "certificatePem": \#(Self.json(certificatePEM))}"#)
        precondition(status == 200, body)
        let id = try Self.field("id", in: body)
        if group { _ = try await admin(.post, "/admin/api/systems/\(id)/visibility-groups", json: #"{"group": "MONOPOLBRUD"}"#) }
        var agreementID: String?
        if let agreementState {
            let (_, created) = try await admin(.post, "/admin/api/agreements", json: #"{"systemId": "\#(id)", "service": "JC/Kontanthjaelp/2", "municipalityCvr": "\#(cvr)"}"#)
            agreementID = try Self.field("id", in: created)
            if agreementState != "requested" {
                _ = try await admin(.post, "/admin/api/agreements/\(agreementID!)/\(agreementState == "approved" ? "approve" : "revoke")")
            }
        }
        return (id, agreementID)
    }

    static func json(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    static func field(_ name: String, in json: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        guard let value = object?[name] as? String else { throw CocoaError(.coderValueNotFound) }
        return value
    }
}

/// Runs `body` against a fresh running platform and always stops it.
func withRunningPlatform(forwardTimeoutMs: Int = 10_000, trustedSTS: (file: String, entityID: String)? = nil, logger: Logger? = nil,
                         configure: (inout PlatformSettings) -> Void = { _ in },
                         _ body: (RunningPlatform) async throws -> Void) async throws {
    let running = try await RunningPlatform.start(forwardTimeoutMs: forwardTimeoutMs, trustedSTS: trustedSTS, logger: logger, configure: configure)
    do {
        try await body(running)
    } catch {
        await running.stop()
        throw error
    }
    await running.stop()
}

enum SOAPHeaders {
    static let path = "/service/JC/Kontanthjaelp/2"

    static func soap11(action: String? = SampleMessages.retAction) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "text/xml; charset=utf-8"]
        if let action { fields[HTTPField.Name("SOAPAction")!] = "\"\(action)\"" }
        return fields
    }

    static func soap12(action: String = SampleMessages.retAction) -> HTTPFields {
        [.contentType: "application/soap+xml; charset=utf-8; action=\"\(action)\""]
    }
}
