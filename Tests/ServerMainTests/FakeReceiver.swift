import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import PlatformTestSupport
import ServiceLifecycle
import ServicePlatform
import Synchronization
@testable import ServerMain

/// A misbehaving jobcenter over HTTPS (server certificate from the exttest CA): each path
/// answers one way a real receiver can fail.
final class FakeReceiver: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let slowCalls: Mutex<Int>
    private let flakyCalls: Mutex<Int>
    private let peers: Mutex<[String]>

    /// How many calls `/slow` has been sent.
    var slowCallCount: Int { slowCalls.withLock { $0 } }
    /// How many calls `/flaky` has been sent.
    var flakyCallCount: Int { flakyCalls.withLock { $0 } }
    /// The SHA-256 fingerprints of the client certificates `/peer-certificate` was called with.
    var peerCertificates: [String] { peers.withLock { $0 } }

    static let kvitteringModtaget = SampleMessages.envelope(
        "<kh:RetBevillingResponse xmlns:kh=\"urn:serviceplatform:jc:kontanthjaelp:2\"><kh:Kvittering><kh:Status>Modtaget</kh:Status></kh:Kvittering></kh:RetBevillingResponse>")

    static let kvitteringWithoutStatus = SampleMessages.envelope(
        "<kh:RetBevillingResponse xmlns:kh=\"urn:serviceplatform:jc:kontanthjaelp:2\"><kh:Kvittering><kh:ModtagerSystem>x</kh:ModtagerSystem></kh:Kvittering></kh:RetBevillingResponse>")
    static let soapFault = """
        <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>\
        <faultstring>jobcenter nede</faultstring><detail><spf:ServiceplatformFault xmlns:spf="http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/">\
        <spf:ErrorList><spf:Error><spf:ErrorCode>JC-5001</spf:ErrorCode><spf:ErrorText>Databasen svarer ikke</spf:ErrorText></spf:Error></spf:ErrorList>\
        </spf:ServiceplatformFault></detail></soap:Fault></soap:Body></soap:Envelope>
        """

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.slowCalls = Mutex(0)
        self.flakyCalls = Mutex(0)
        self.peers = Mutex([])
        self.task = task
    }

    static func start(pki: ExttestPKI) async throws -> FakeReceiver {
        let router = Router(context: FakeReceiverContext.self)
        let receiver = Mutex<FakeReceiver?>(nil)
        // A receiver that takes its time: a client may give up and send the call again meanwhile.
        router.post("/slow") { _, _ in
            receiver.withLock { $0 }?.slowCalls.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(1_500))
            return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: kvitteringModtaget)))
        }
        // Slow to fail the first call (a fault after 1.5 s), then well again: a retry meanwhile
        // must wait for that outcome, and be forwarded after it.
        router.post("/flaky") { _, _ in
            let call = receiver.withLock { $0 }?.flakyCalls.withLock { calls -> Int in
                calls += 1
                return calls
            }
            guard call == 1 else {
                return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: kvitteringModtaget)))
            }
            try await Task.sleep(for: .milliseconds(1_500))
            return Response(status: .internalServerError, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: soapFault)))
        }
        router.post("/peer-port") { _, context in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "\(context.remoteAddress?.port ?? 0)")))
        }
        // Answers a receipt and keeps the fingerprint of the client certificate the caller presented.
        router.post("/peer-certificate") { _, context in
            let certificate = try await context.channel.nioSSL_peerCertificate().get()
            let fingerprint = try certificate.map { CertificateFingerprint.sha256(try $0.toDERBytes()) } ?? "none"
            receiver.withLock { $0 }?.peers.withLock { $0.append(fingerprint) }
            return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: kvitteringModtaget)))
        }
        router.post("/http500") { _, _ in Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom"))) }
        router.post("/garbage") { _, _ in Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: "this is not xml <<<"))) }
        router.post("/nostatus") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: kvitteringWithoutStatus)))
        }
        router.post("/huge") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 2 << 20)))
        }
        router.post("/fault") { _, _ in
            Response(status: .internalServerError, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: soapFault)))
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(pki.jobcenterServer.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.jobcenterServer.keyPEM.utf8), format: .pem)))
        // Client certificates are asked for (and any of the test CA's taken), so `/peer-certificate` can tell which came.
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pki.ca.certificatePEM.utf8)))
        let bound = ReadyLine(host: "127.0.0.1", expected: ["fake"], printLine: false)
        var logger = Logger(label: "fake-receiver")
        logger.logLevel = .critical
        let app = Application(router: router, server: try .tls(.http1(), tlsConfiguration: tls),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { await bound.bound("fake", port: $0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        let task = Task { try await group.run() }
        let port = await bound.allBound()["fake"]!
        let fake = FakeReceiver(port: port, group: group, task: task)
        receiver.withLock { $0 = fake }
        return fake
    }

    func url(_ path: String) -> String { "https://127.0.0.1:\(port)\(path)" }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// Knows the connection's far end, so `/peer-port` can tell connections apart and
/// `/peer-certificate` can read the client certificate.
struct FakeReceiverContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }
}

/// A TCP port that accepts connections (into the backlog) and never says a word: a hanging receiver.
final class SilentPort: Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw CocoaError(.fileWriteUnknown) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
    }

    func close() { _ = Glibc.close(fd) }

    /// A port nothing listens on: connection refused.
    static func closedPort() throws -> Int {
        let silent = try SilentPort()
        let port = silent.port
        silent.close()
        return port
    }
}
