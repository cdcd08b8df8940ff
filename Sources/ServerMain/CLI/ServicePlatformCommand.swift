import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import ServicePlatform

@main
struct ServicePlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serviceplatform",
        abstract: "The service-platform router for JC/Kontanthjaelp/2.",
        subcommands: [Serve.self, Demo.self],
        defaultSubcommand: Demo.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the platform from configuration.")
    @OptionGroup var options: PlatformOptions

    func run() async throws {
        try await PlatformRunner.run(settings: try options.resolved(), inProcessJobcenter: false)
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the exttest environment: router and demo jobcenter.")
    @OptionGroup var options: PlatformOptions

    func run() async throws {
        try await PlatformRunner.run(settings: try options.resolved(), inProcessJobcenter: true)
    }
}

/// Runs both listeners in one ServiceGroup with graceful shutdown on SIGTERM/SIGINT.
enum PlatformRunner {
    static func run(settings: PlatformSettings, inProcessJobcenter: Bool) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "serviceplatform")
        var receivers: [Receiver] = []
        var transport: any ReceiverTransport = InProcessReceiverTransport { _, _ in ReceiverExchange(status: 503, body: []) }
        if inProcessJobcenter {
            let (receiver, jobcenter) = try InProcessJobcenter.make(wsdlDirectory: settings.wsdlDirectory)
            receivers = [receiver]
            transport = jobcenter
        }
        let platform = try Platform(settings: settings, receivers: receivers, transport: transport, logger: logger)
        let ready = ReadyLine(host: settings.bindAddress)
        let service = Application(
            router: platform.serviceRouter(),
            configuration: .init(address: .hostname(settings.bindAddress, port: settings.servicePort), serverName: "serviceplatform"),
            onServerRunning: { channel in await ready.service(bound: channel.localAddress?.port ?? settings.servicePort) },
            logger: logger)
        let admin = Application(
            router: platform.adminRouter(),
            configuration: .init(address: .hostname(settings.bindAddress, port: settings.adminPort), serverName: "serviceplatform-admin"),
            onServerRunning: { channel in await ready.admin(bound: channel.localAddress?.port ?? settings.adminPort) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: service), .init(service: admin)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
