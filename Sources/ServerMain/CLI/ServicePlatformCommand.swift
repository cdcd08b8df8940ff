import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import ServicePlatform

/// The process's entry point. Every command runs as Swift's async `main` would run it (a main
/// task on the main actor, the main thread parked in `dispatchMain()`), with NIO's event loops
/// as Swift Concurrency's global executor, except `bench-hotpath`:
/// valgrind 3.19 (Debian bookworm) crashes on a main thread parked in `dispatch_main`, so the
/// hot-path benchmark, which runs under callgrind, keeps its main thread blocked on a semaphore
/// instead (it uses no main-actor code).
@main
enum ServicePlatformMain {
    static func main() {
        PreferredAllocator.adopt()
        if CommandLine.arguments.dropFirst().first == BenchHotPath.configuration.commandName {
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                await ServicePlatformCommand.main()
                done.signal()
            }
            done.wait()
            exit(0)
        }
        // Tasks run on NIO's event loops (the threads the listeners and the forwarding client
        // already use) instead of a second pool: half the context switches per call, and
        // ~7 % less router CPU per call in 5 interleaved A/B pairs. Nothing here blocks an
        // event loop for long: audit commits run on the audit writer's thread, admin writes on
        // GRDB's queue, checkpoints on their own, and the idempotency look-up is one indexed read.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        Task { @MainActor in
            await ServicePlatformCommand.main()
            exit(0)
        }
        dispatchMain()
    }
}

struct ServicePlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serviceplatform",
        abstract: "The service-platform router for JC/Kontanthjaelp/2.",
        subcommands: [Serve.self, Demo.self, Jobcenter.self, Send.self, Bench.self, BenchPresign.self, BenchHotPath.self, BenchFloor.self],
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
        try await PlatformRunner.run(platform, withDemoJobcenter: false, ready: ReadyLine(host: settings.bindAddress, adminHost: settings.adminBindAddress), logger: logger)
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the exttest environment: router, demo jobcenter, test PKI, demo data.")
    @OptionGroup var options: PlatformOptions
    @Flag(help: "Delete the data folder's contents first: a new CA, new certificates, empty databases.") var reset = false

    func run() async throws {
        let settings = try { () throws -> PlatformSettings in
            var settings = try options.resolved()
            settings.exttest = true  // the exttest environment, whatever the flag says
            return settings
        }()
        let logger = PlatformRunner.bootstrapLogging()
        if reset {
            // A new CA with the old registry would leave the demo caller's new certificate unknown.
            guard settings.databaseURL == nil else {
                throw ValidationError("--reset empties the data folder, not a PostgreSQL database: use a fresh database with it, or leave --reset out")
            }
            // Only a folder that is empty or holds our files: a mistyped --data-dir must not wipe a home folder.
            let names = (try? FileManager.default.contentsOfDirectory(atPath: settings.dataDirectory)) ?? []
            guard names.isEmpty || names.contains(where: ["pki", "platform.sqlite", "jobcenter.sqlite", "audit-hmac.key"].contains) else {
                throw ValidationError("--reset: \(settings.dataDirectory) does not look like a serviceplatform data folder; nothing deleted")
            }
            for name in names { try FileManager.default.removeItem(atPath: (settings.dataDirectory as NSString).appendingPathComponent(name)) }
            Console.line("reset: emptied \(settings.dataDirectory)")
        }
        let platform = try await Platform.build(settings: settings, logger: logger)
        let quickstart = ExttestQuickstart(dataDirectory: settings.dataDirectory, pki: platform.pki, pkcs12: try platform.pki.demoCallerPKCS12())
        try quickstart.writeExampleMessage()
        Console.line("admin-token=\(platform.adminToken)")
        Console.line("caller certificate: \(platform.pki.demoCaller.certificatePath) key: \(platform.pki.demoCaller.keyPath) CA: \(platform.pki.ca.certificatePath)")
        Console.line("caller PKCS#12: \(quickstart.pkcs12.path) passphrase: \(quickstart.pkcs12.passphrase) (also in \(quickstart.pkcs12.passphrasePath))")
        let ready = ReadyLine(host: settings.bindAddress, adminHost: settings.adminBindAddress, expected: ["service", "admin", "jobcenter"]) { ports in
            for line in quickstart.lines(host: settings.bindAddress, adminHost: settings.adminBindAddress,
                                         servicePort: ports["service"] ?? 0, adminPort: ports["admin"] ?? 0) {
                Console.line(line)
            }
            // The demo receiver is registered now: a first probe round soon, so /status has a state at once.
            // (Not awaited here: this runs inside a listener's start-up, which must not wait on a probe.)
            await platform.observability.prober.requestRound()
        }
        try await PlatformRunner.run(platform, withDemoJobcenter: true, ready: ready, logger: logger)
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
        try await PlatformRunner.runUntilSignalled([app], logger: logger)
    }
}

/// Runs the listeners (and the demo jobcenter) in one ServiceGroup with graceful shutdown on
/// SIGTERM/SIGINT.
enum PlatformRunner {
    static func bootstrapLogging() -> Logger {
        let level = ProcessInfo.processInfo.environment["SERVICEPLATFORM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in PlatformLogHandler(label: label, logLevel: level) }
        return Logger(label: "serviceplatform")
    }

    static func services(_ platform: Platform, withDemoJobcenter: Bool, ready: ReadyLine) throws -> [any Service] {
        // A service group stops its services in reverse order: the listeners first (a call in
        // flight still gets its answer), then the forwarding pool, then the demo jobcenter.
        var services: [any Service] = []
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
        if let shared = platform.store as? PostgresStore {
            services.append(RegistryFollower(registry: platform.registry, logger: platform.logger, version: { try await shared.registryVersion() }))
        }
        services.append(platform.transport)
        services.append(try platform.serviceApplication { await ready.bound("service", port: $0) })
        services.append(platform.adminApplication { await ready.bound("admin", port: $0) })
        return services
    }

    /// `ready` must expect the listeners started: `jobcenter` too when `withDemoJobcenter`.
    static func run(_ platform: Platform, withDemoJobcenter: Bool, ready: ReadyLine, logger: Logger) async throws {
        try await runUntilSignalled(try services(platform, withDemoJobcenter: withDemoJobcenter, ready: ready), logger: logger)
    }

    static func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
