import Dispatch
import Foundation
import NIOCore
import NIOPosix
import ServicePlatform
import Testing

@Suite("Pooled receiver connections")
struct ReceiverConnectionPoolTests {
    /// The forward's local port as the fake receiver saw it: one port per connection.
    private static func connectionPort(_ transport: HTTPSReceiverTransport, _ receiver: Receiver, on loop: (any EventLoop)?) async throws -> String {
        let exchange: ReceiverExchange
        if let loop {
            exchange = try await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
                try await transport.exchange(Array("<x/>".utf8), action: "urn:test", with: receiver)
            }
        } else {
            exchange = try await transport.exchange(Array("<x/>".utf8), action: "urn:test", with: receiver)
        }
        #expect(exchange.status == 200)
        return String(decoding: exchange.body, as: UTF8.self)
    }

    @Test("a task preferring a loop's executor runs on that loop, also after another thread resumed it")
    func taskStaysOnItsLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        for loop in group.makeIterator() {
            let steps = await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
                var onLoop = [loop.inEventLoop]
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(5)) { done.resume() }
                }
                onLoop.append(loop.inEventLoop)
                return onLoop
            }
            #expect(steps == [true, true])
        }
        try await group.shutdownGracefully()
    }

    @Test("a call takes an idle connection on its own event loop: each loop keeps its own, and off any loop either is taken")
    func connectionPerLoop() async throws {
        let pki = try ExttestPKI.ensure(dataDirectory: (SharedTestPKI.directory as NSString).deletingLastPathComponent)
        let fake = try await FakeReceiver.start(pki: pki)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let transport = try HTTPSReceiverTransport(clientCertificatePEM: pki.platformClient.certificatePEM, clientKeyPEM: pki.platformClient.keyPEM)
        let receiver = Receiver(systemID: "jc", name: "JC", endpoint: fake.url("/peer-port"), municipalityCodes: [], trustRootPEM: pki.ca.certificatePEM)
        let loops = Array(group.makeIterator())

        let first = try await Self.connectionPort(transport, receiver, on: loops[0])
        #expect(try await Self.connectionPort(transport, receiver, on: loops[0]) == first)
        // Before pooling per loop this took the first loop's idle connection.
        let second = try await Self.connectionPort(transport, receiver, on: loops[1])
        #expect(second != first)
        #expect(try await Self.connectionPort(transport, receiver, on: loops[1]) == second)
        #expect(try await Self.connectionPort(transport, receiver, on: loops[0]) == first)
        // A call off any event loop (a command, a test) opens nothing new.
        #expect([first, second].contains(try await Self.connectionPort(transport, receiver, on: nil)))

        try await transport.shutdown()
        await fake.stop()
        try await group.shutdownGracefully()
    }
}
