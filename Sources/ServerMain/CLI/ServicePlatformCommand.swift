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
        subcommands: [Serve.self, Demo.self, Jobcenter.self, Send.self],
        defaultSubcommand: Demo.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the platform from configuration.")
    @OptionGroup var options: PlatformOptions

    func run() async throws {
        let settings = try options.resolved()
        let logger = PlatformRunner.bootstrapLogging()
        let platform = try await Platform.build(settings: settings, logger: logger)
        if settings.adminToken == nil { Console.line("admin-token=\(platform.adminToken)") }
        try await PlatformRunner.run(platform, withDemoJobcenter: false, logger: logger)
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the exttest environment: router, demo jobcenter, test PKI, demo data.")
    @OptionGroup var options: PlatformOptions

    func run() async throws {
        let settings = try options.resolved()
        let logger = PlatformRunner.bootstrapLogging()
        let platform = try await Platform.build(settings: settings, logger: logger)
        Console.line("admin-token=\(platform.adminToken)")
        Console.line("caller certificate: \(platform.pki.demoCaller.certificatePath) key: \(platform.pki.demoCaller.keyPath) CA: \(platform.pki.ca.certificatePath)")
        try await PlatformRunner.run(platform, withDemoJobcenter: true, logger: logger)
    }
}

struct Jobcenter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run only the demo jobcenter (a receiver over mutual TLS).")
    @OptionGroup var options: PlatformOptions

    func run() async throws {
        let settings = try options.resolved()
        let logger = PlatformRunner.bootstrapLogging()
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let pki = try ExttestPKI.ensure(dataDirectory: settings.dataDirectory)
        let app = try DemoJobcenter.application(pki: pki, dataDirectory: settings.dataDirectory, wsdlDirectory: settings.wsdlDirectory,
                                                bindAddress: settings.bindAddress, port: settings.jobcenterPort, logger: logger) { port in
            Console.line("ready jobcenter=https://\(settings.bindAddress):\(port)\(DemoJobcenter.path)")
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Runs the listeners (and the demo jobcenter) in one ServiceGroup with graceful shutdown on
/// SIGTERM/SIGINT.
enum PlatformRunner {
    static func bootstrapLogging() -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["SERVICEPLATFORM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        return Logger(label: "serviceplatform")
    }

    static func services(_ platform: Platform, withDemoJobcenter: Bool, ready: ReadyLine) throws -> [any Service] {
        var services: [any Service] = [platform.transport]
        if withDemoJobcenter {
            let settings = platform.settings
            services.append(try DemoJobcenter.application(
                pki: platform.pki, dataDirectory: settings.dataDirectory, wsdlDirectory: settings.wsdlDirectory,
                bindAddress: settings.bindAddress, port: settings.jobcenterPort, logger: platform.logger) { port in
                do {
                    try await DemoData.ensure(store: platform.store, registry: platform.registry, commands: platform.commands,
                                              municipalities: platform.municipalities, pki: platform.pki,
                                              jobcenterEndpoint: "https://\(settings.bindAddress):\(port)\(DemoJobcenter.path)",
                                              service: platform.pipeline.service.name)
                } catch {
                    platform.logger.error("demo data could not be set up: \(error)")
                }
                await ready.bound("jobcenter", port: port)
            })
        }
        services.append(try platform.serviceApplication { await ready.bound("service", port: $0) })
        services.append(platform.adminApplication { await ready.bound("admin", port: $0) })
        return services
    }

    static func run(_ platform: Platform, withDemoJobcenter: Bool, logger: Logger) async throws {
        let ready = ReadyLine(host: platform.settings.bindAddress,
                              expected: withDemoJobcenter ? ["service", "admin", "jobcenter"] : ["service", "admin"])
        let services = try services(platform, withDemoJobcenter: withDemoJobcenter, ready: ready)
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
