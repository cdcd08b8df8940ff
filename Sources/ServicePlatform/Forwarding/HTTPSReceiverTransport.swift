import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Forwards over HTTPS with AsyncHTTPClient: the platform's client certificate, the receiver's
/// own trust root, pooled keep-alive connections (one pool per TLS configuration), a connect
/// timeout and a deadline for the whole call. Anything that keeps the receiver from answering
/// is SP-3002, so the caller can retry with the same BeskedID.
package final class HTTPSReceiverTransport: ReceiverTransport, Service {
    package struct Timeouts: Sendable {
        package var connect: TimeAmount
        package var total: TimeAmount
        package init(connect: TimeAmount = .seconds(2), total: TimeAmount = .seconds(10)) {
            self.connect = connect
            self.total = total
        }
    }

    private let client: HTTPClient
    private let certificateChain: [NIOSSLCertificate]
    private let privateKey: NIOSSLPrivateKey
    private let timeouts: Timeouts
    private let maxAnswerBytes: Int
    /// TLS configurations by trust-root PEM: equal configurations share a connection pool.
    private let configurations = Mutex<[String: TLSConfiguration]>([:])

    package init(clientCertificatePEM: String, clientKeyPEM: String, timeouts: Timeouts = Timeouts(), maxAnswerBytes: Int = 1 << 20) throws {
        certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificatePEM.utf8))
        privateKey = try NIOSSLPrivateKey(bytes: Array(clientKeyPEM.utf8), format: .pem)
        self.timeouts = timeouts
        self.maxAnswerBytes = maxAnswerBytes
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: timeouts.connect, read: timeouts.total)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    package func exchange(_ envelope: [UInt8], action: String, with receiver: Receiver) async throws(PlatformFault) -> ReceiverExchange {
        guard receiver.endpoint.lowercased().hasPrefix("https://") else {
            throw PlatformFault(.receiverUnavailable, "the receiver's endpoint is not HTTPS")
        }
        var request = HTTPClientRequest(url: receiver.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
        request.headers.add(name: "SOAPAction", value: "\"\(action)\"")
        request.body = .bytes(ByteBuffer(bytes: envelope))
        do {
            request.tlsConfiguration = try tlsConfiguration(trustRootPEM: receiver.trustRootPEM)
        } catch {
            throw PlatformFault(.receiverUnavailable, "the receiver's trust root cannot be read")
        }
        let deadline = NIODeadline.now() + timeouts.total
        do {
            let response = try await client.execute(request, deadline: deadline)
            let body = try await response.body.collect(upTo: maxAnswerBytes)
            return ReceiverExchange(status: Int(response.status.code), body: Array(body.readableBytesView))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw PlatformFault(.receiverUnavailable, "the receiver did not answer in time")
        } catch is NIOSSLError {
            throw PlatformFault(.receiverUnavailable, "TLS with the receiver failed")
        } catch {
            throw PlatformFault(.receiverUnavailable, "the receiver could not be reached")
        }
    }

    private func tlsConfiguration(trustRootPEM: String?) throws -> TLSConfiguration {
        let key = trustRootPEM ?? ""
        if let cached = configurations.withLock({ $0[key] }) { return cached }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = certificateChain.map { .certificate($0) }
        tls.privateKey = .privateKey(privateKey)
        tls.minimumTLSVersion = .tlsv12
        if let trustRootPEM, !trustRootPEM.isEmpty {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(trustRootPEM.utf8)))
        }
        configurations.withLock { $0[key] = tls }
        return tls
    }

    /// Keeps the client until graceful shutdown, then closes its connections.
    package func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }

    /// Closes the client when not run as a Service (tests, one-shot commands).
    package func shutdown() async throws { try await client.shutdown() }
}
