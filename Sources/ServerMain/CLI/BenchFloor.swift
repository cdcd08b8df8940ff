import ArgumentParser
import Hummingbird
import HummingbirdTLS
import NIOCore
import ServicePlatform
import SOAPCodec

/// The router's HTTP stack as a plain TLS proxy, for the benchmark's floor row (issue 9): the
/// service listener exactly as `serve` builds it (Hummingbird with the `ServiceCallHandler`,
/// NIOSSL with the same TLS configuration, the client certificate read per connection, the call
/// on its event loop) and the same HTTPS forwarding to a receiver, with none of the contract's
/// work in between: the body goes out as it came, the answer comes back as it came. It is what
/// the router costs before it parses, authorizes, validates or audits anything; nginx doing the
/// same is row (b).
/// Not a platform mode: no registry, no audit, no checks, so it only binds to loopback.
struct BenchFloor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-floor",
        abstract: "Benchmark only: the service listener forwarding bodies unchanged to one receiver (no contract work).")

    @Option(help: "Data folder with the exttest PKI (the router's server certificate, the platform's client certificate).")
    var dataDir: String
    @Option(help: "The receiver's HTTPS URL; its certificate must chain to the exttest CA.") var receiverURL: String
    @Option(help: "Port on 127.0.0.1 (0: any free one).") var port: Int = 0

    func validate() throws {
        guard receiverURL.hasPrefix("https://") else { throw ValidationError("--receiver-url must be an https URL") }
    }

    func run() async throws {
        let logger = PlatformRunner.bootstrapLogging()
        let pki = try ExttestPKI.ensure(dataDirectory: dataDir)
        let transport = try HTTPSReceiverTransport(clientCertificatePEM: pki.platformClient.certificatePEM,
                                                   clientKeyPEM: pki.platformClient.keyPEM)
        let receiver = Receiver(systemID: "bench-floor-receiver", name: "bench floor receiver", endpoint: receiverURL,
                                municipalityCodes: [], trustRootPEM: pki.ca.certificatePEM)
        let calls = ServiceCallHandler.Configuration(
            path: ServiceRoutes.path, maxBodyBytes: 1 << 20, serverName: "serviceplatform-bench-floor", metrics: nil,
            answer: { request in
                // The same per-connection certificate read as the service's calls, unused after.
                _ = await ConnectionPeers.shared.peer(of: request.channel)
                // The action read as the router reads it (SOAP 1.1 header or SOAP 1.2 parameter).
                let action = SOAPMediaType(contentType: request.contentType, soapAction: request.soapAction)?.action ?? ""
                do {
                    let answer = try await transport.exchange(request.body, action: action, with: receiver)
                    return ServiceHTTPResponse(status: answer.status, contentType: "text/xml; charset=utf-8", body: answer.body)
                } catch {
                    return ServiceHTTPResponse(status: 502, contentType: "text/plain; charset=utf-8", body: [])
                }
            },
            refuseOversized: { _ in ServiceHTTPResponse(status: 413, contentType: "text/plain; charset=utf-8", body: []) })
        let tls = try ListenerTLS.service(certificatePEM: pki.routerServer.certificatePEM, keyPEM: pki.routerServer.keyPEM)
        let app = Application(router: Router(context: ServiceRequestContext.self), server: try .tls(.serviceHTTP1(calls), configuration: tls),
                              configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "serviceplatform-bench-floor"),
                              onServerRunning: { channel in
                                  Console.line("ready floor=https://127.0.0.1:\(channel.localAddress?.port ?? port)\(ServiceRoutes.path)")
                              },
                              logger: logger)
        try await PlatformRunner.runUntilSignalled([transport, app], logger: logger)
    }
}
