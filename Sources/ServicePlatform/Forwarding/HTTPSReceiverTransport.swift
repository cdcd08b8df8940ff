import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Forwards over HTTPS on SwiftNIO: the platform's client certificate, the receiver's own trust
/// root, kept-alive connections pooled per endpoint and trust root, a connect timeout and a
/// deadline for the whole call. Anything that keeps the receiver from answering is SP-3002, so
/// the caller can retry with the same BeskedID. A request is sent once, never retried here: the
/// receiver may have acted on it. (A direct NIO client: AsyncHTTPClient's request machinery
/// was a fifth of the router's CPU per call.)
package final class HTTPSReceiverTransport: ReceiverTransport, Service {
    package struct Timeouts: Sendable {
        package var connect: TimeAmount
        package var total: TimeAmount
        package init(connect: TimeAmount = .seconds(2), total: TimeAmount = .seconds(10)) {
            self.connect = connect
            self.total = total
        }
    }

    /// Connections are pooled by where they go, which root they trust, and the event loop they
    /// live on: a call takes one on its own loop, so its write, the answer and the task's next
    /// step stay on one thread instead of waking another for each.
    private struct PoolKey: Hashable {
        let endpoint: ReceiverEndpoint
        let trustRoot: TrustRoot
        var loop: ObjectIdentifier?
    }

    /// A receiver's trust root as a key. Every call looks it up three times, so it is hashed by
    /// its length and last 64 bytes (a certificate's signature), not all ~1 200; equality still
    /// compares the whole PEM, at once when both come from the same registry record.
    private struct TrustRoot: Hashable {
        let pem: String

        func hash(into hasher: inout Hasher) {
            let utf8 = pem.utf8
            hasher.combine(utf8.count)
            // The 64 bytes in one call into the hasher (a byte at a time was 64 calls, three
            // times a call); from the string's own storage, or a copy where it has none.
            let hashed: Void? = utf8.withContiguousStorageIfAvailable {
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.suffix(64))))
            }
            if hashed == nil { Array(utf8.suffix(64)).withUnsafeBytes { hasher.combine(bytes: $0) } }
        }
    }

    private let group: any EventLoopGroup
    private let certificateChain: [NIOSSLCertificate]
    private let privateKey: NIOSSLPrivateKey
    private let timeouts: Timeouts
    private let maxAnswerBytes: Int
    /// Per receiver and event loop.
    private let maxIdlePerReceiver: Int
    private let endpoints = Mutex<[String: ReceiverEndpoint]>([:])
    /// One TLS context per trust root: building one parses certificates and keys.
    private let contexts = Mutex<[TrustRoot: NIOSSLContext]>([:])
    private let idle = Mutex<(closed: Bool, channels: [PoolKey: [any Channel]])>((false, [:]))

    package init(clientCertificatePEM: String, clientKeyPEM: String, timeouts: Timeouts = Timeouts(), maxAnswerBytes: Int = 1 << 20,
                 maxIdlePerReceiver: Int = 64) throws {
        certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificatePEM.utf8))
        privateKey = try NIOSSLPrivateKey(bytes: Array(clientKeyPEM.utf8), format: .pem)
        self.timeouts = timeouts
        self.maxAnswerBytes = maxAnswerBytes
        self.maxIdlePerReceiver = maxIdlePerReceiver
        group = MultiThreadedEventLoopGroup.singleton
    }

    package func exchange(_ envelope: [UInt8], action: String, with receiver: Receiver) async throws(PlatformFault) -> ReceiverExchange {
        guard let endpoint = endpoint(receiver.endpoint) else {
            throw PlatformFault(.receiverUnavailable, "the receiver's endpoint is not HTTPS")
        }
        let loop = MultiThreadedEventLoopGroup.currentEventLoop
        var key = PoolKey(endpoint: endpoint, trustRoot: TrustRoot(pem: receiver.trustRootPEM ?? ""), loop: loop.map { ObjectIdentifier($0) })
        let context: NIOSSLContext
        do {
            context = try sslContext(key.trustRoot)
        } catch {
            throw PlatformFault(.receiverUnavailable, "the receiver's trust root cannot be read")
        }
        let deadline = NIODeadline.now() + timeouts.total
        do {
            let channel: any Channel
            if let pooled = takeIdle(key) { channel = pooled } else { channel = try await connect(endpoint, context: context, on: loop) }
            key.loop = ObjectIdentifier(channel.eventLoop)
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.target)
            head.headers.add(name: "Host", value: endpoint.authority)
            head.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
            head.headers.add(name: "SOAPAction", value: "\"\(action)\"")
            head.headers.add(name: "Content-Length", value: String(envelope.count))
            let promise = channel.eventLoop.makePromise(of: ReceiverAnswer.self)
            let request = ReceiverRequest(head: head, body: channel.allocator.buffer(bytes: envelope), deadline: deadline, promise: promise)
            // A write that never reaches the handler (the connection closed meanwhile) fails the
            // answer too; a promise already completed by the handler ignores this.
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { promise.fail($0) }
            channel.writeAndFlush(request, promise: written)
            let answer = try await promise.futureResult.get()
            if answer.reusable { putIdle(channel, key) } else { channel.close(promise: nil) }
            return answer.exchange
        } catch ReceiverConnectionError.timedOut {
            throw PlatformFault(.receiverUnavailable, "the receiver did not answer in time")
        } catch ChannelError.connectTimeout {
            throw PlatformFault(.receiverUnavailable, "the receiver did not answer in time")
        } catch ReceiverConnectionError.answerTooLarge {
            throw PlatformFault(.receiverUnavailable, "the receiver's answer is larger than \(maxAnswerBytes) bytes")
        } catch is NIOSSLError {
            throw PlatformFault(.receiverUnavailable, "TLS with the receiver failed")
        } catch is BoringSSLError {
            throw PlatformFault(.receiverUnavailable, "TLS with the receiver failed")
        } catch {
            throw PlatformFault(.receiverUnavailable, "the receiver could not be reached")
        }
    }

    private func endpoint(_ url: String) -> ReceiverEndpoint? {
        if let known = endpoints.withLock({ $0[url] }) { return known }
        guard let parsed = ReceiverEndpoint(url) else { return nil }
        endpoints.withLock { $0[url] = parsed }
        return parsed
    }

    private func sslContext(_ trustRoot: TrustRoot) throws -> NIOSSLContext {
        let trustRootPEM = trustRoot.pem
        if let cached = contexts.withLock({ $0[trustRoot] }) { return cached }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = certificateChain.map { .certificate($0) }
        tls.privateKey = .privateKey(privateKey)
        tls.minimumTLSVersion = .tlsv12
        if !trustRootPEM.isEmpty {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(trustRootPEM.utf8)))
        }
        let context = try NIOSSLContext(configuration: tls)
        contexts.withLock { $0[trustRoot] = context }
        return context
    }

    private func connect(_ endpoint: ReceiverEndpoint, context: NIOSSLContext, on loop: (any EventLoop)?) async throws -> any Channel {
        let maxAnswerBytes = maxAnswerBytes
        return try await ClientBootstrap(group: loop ?? group.next())
            .connectTimeout(timeouts.connect)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: endpoint.serverHostname)
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ReceiverExchangeHandler(maxAnswerBytes: maxAnswerBytes))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
    }

    /// An idle connection on the caller's loop; off any loop (tests, commands), one on any loop.
    private func takeIdle(_ key: PoolKey) -> (any Channel)? {
        idle.withLock { state in
            let keys = key.loop == nil ? state.channels.keys.filter { $0.endpoint == key.endpoint && $0.trustRoot == key.trustRoot } : [key]
            for key in keys {
                while let channel = state.channels[key]?.popLast() {
                    if channel.isActive { return channel }
                }
            }
            return nil
        }
    }

    private func putIdle(_ channel: any Channel, _ key: PoolKey) {
        let kept = idle.withLock { state -> Bool in
            guard !state.closed, channel.isActive, state.channels[key, default: []].count < maxIdlePerReceiver else { return false }
            state.channels[key, default: []].append(channel)
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    /// Keeps the pool until graceful shutdown, then closes its connections.
    package func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Closes the pooled connections (also when not run as a Service: tests, one-shot commands).
    package func shutdown() async throws {
        let channels = idle.withLock { state -> [any Channel] in
            state.closed = true
            defer { state.channels = [:] }
            return state.channels.values.flatMap { $0 }
        }
        for channel in channels { try? await channel.close() }
    }
}
