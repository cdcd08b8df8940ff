import Foundation
import GrantService
import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import ServicePlatform
import SOAPCodec

/// The platform assembled from settings: store, registry, security model, pipeline, forwarding
/// and the published contract, handed to each other by initializer. Composition only.
struct Platform: Sendable {
    let settings: PlatformSettings
    let pki: ExttestPKI
    /// SQLite in the data folder, or PostgreSQL with `--database-url`.
    let store: any PlatformStore & ObservabilityStore
    let registry: Registry
    let commands: AdminCommands
    let municipalities: MunicipalityDirectory
    let pipeline: ServiceCallPipeline
    let contract: PublishedContract
    let transport: HTTPSReceiverTransport
    let adminToken: String
    let logger: Logger
    /// The built-in STS: exttest only.
    let tokens: TokenService?
    /// What the service listener presents.
    let serviceTLS: PEMPair
    /// Metrics, receiver probes and the status report (admin listener).
    let observability: PlatformObservability
    /// Self-service test certificates from the exttest CA: exttest only.
    let testCertificates: TestCertificateIssuer?
    /// The admin pages' login sessions (in memory).
    let adminSessions: AdminSessions

    static func build(settings: PlatformSettings, logger: Logger) async throws -> Platform {
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let pki = try ExttestPKI.ensure(dataDirectory: settings.dataDirectory)
        let store = try await Self.openStore(settings: settings, logger: logger)
        let registry = try await Registry(store: store)
        // The data folder's generated certificates unless configured: what `demo` and a first
        // `serve` run on; a deployment names its own.
        let serviceTLS = try settings.tlsCertificate.map(PEMPair.init(files:)) ?? PEMPair(pki.routerServer)
        let clientIdentity = try settings.clientCertificate.map(PEMPair.init(files:)) ?? PEMPair(pki.platformClient)
        let transport = try HTTPSReceiverTransport(
            clientCertificatePEM: clientIdentity.certificatePEM, clientKeyPEM: clientIdentity.keyPEM,
            timeouts: .init(connect: .milliseconds(Int64(settings.forwardConnectTimeoutMs)), total: .milliseconds(Int64(settings.forwardTimeoutMs))))
        // Calls are counted as the audit log commits them: once each, with nothing read back.
        var walCounts: (@Sendable () -> WALCheckpointer.Counts)?
        if let checkpointer = (store as? SQLiteStore)?.checkpointer { walCounts = { checkpointer.counts } }
        let metrics = PlatformMetrics(walCounts: walCounts)
        let parts = try PipelineParts(settings: settings, pki: pki, store: store, registry: registry, transport: transport, logger: logger,
                                      auditCommitted: { commit in metrics.auditCommit(commit) })
        let (service, municipalities) = (parts.service, parts.municipalities)
        let commands = AdminCommands(store: store, registry: registry, municipalities: municipalities, services: [service.name])
        let observability = try PlatformObservability(service: service.name, metrics: metrics, store: store, registry: registry,
                                                      municipalities: municipalities, clientIdentity: clientIdentity,
                                                      probeInterval: .seconds(settings.probeIntervalSeconds), logger: logger)
        return Platform(
            settings: settings, pki: pki, store: store, registry: registry,
            commands: commands,
            municipalities: municipalities, pipeline: ServiceCallPipeline(parts.dependencies),
            contract: try PublishedContract(directory: settings.wsdlDirectory, signingCertificatePEM: parts.signingCertificatePEM,
                                            stsCertificatePEM: parts.publishedSTSCertificatePEM), transport: transport,
            adminToken: settings.adminToken ?? Self.randomToken(), logger: logger,
            tokens: settings.exttest ? TokenService(issuer: parts.issuer, verifier: parts.verifier, registry: registry, agreements: parts.agreements,
                                                    directory: municipalities, audiences: parts.audiences) : nil,
            serviceTLS: serviceTLS,
            observability: observability, testCertificates: settings.exttest ? TestCertificateIssuer(pki: pki, commands: commands) : nil,
            adminSessions: AdminSessions())
    }

    /// PostgreSQL when `--database-url` names one (several instances may share it), else the
    /// embedded SQLite file in the data folder.
    static func openStore(settings: PlatformSettings, logger: Logger) async throws -> any PlatformStore & ObservabilityStore {
        if let url = settings.databaseURL {
            return try await PostgresStore(url: url, logger: logger)
        }
        return try SQLiteStore(path: (settings.dataDirectory as NSString).appendingPathComponent("platform.sqlite"))
    }

    static func randomToken() -> String {
        return Hex.random(count: 32)
    }

    func serviceApplication(onBound: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: ListenerMetricsMiddleware(metrics: observability.metrics, listener: "service"))
        let routes = ServiceRoutes(pipeline: pipeline, contract: contract, maxBodyBytes: settings.maxBodyBytes,
                                   scheme: "https", fallbackHost: "\(settings.bindAddress):\(settings.servicePort)")
        routes.add(to: router)
        if let tokens { STSRoutes(tokens: tokens).add(to: router) }
        let tls = try ListenerTLS.service(certificatePEM: serviceTLS.certificatePEM, keyPEM: serviceTLS.keyPEM)
        let serverName = "serviceplatform"
        let calls = routes.calls(serverName: serverName, metrics: observability.metrics)
        return Application(router: router, server: try .tls(.serviceHTTP1(calls), configuration: tls),
                           configuration: .init(address: .hostname(settings.bindAddress, port: settings.servicePort), serverName: serverName),
                           onServerRunning: { channel in await onBound(channel.localAddress?.port ?? settings.servicePort) },
                           logger: logger)
    }

    func adminApplication(onBound: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: AdminRequestContext.self)
        AdminRoutes(commands: commands, adminToken: adminToken, observability: observability, sessions: adminSessions,
                    municipalities: municipalities, services: [pipeline.service.name], testCertificates: testCertificates).add(to: router)
        // The receiver prober runs with the admin listener: it feeds /status and /metrics.
        return Application(router: router,
                           configuration: .init(address: .hostname(settings.adminBindAddress, port: settings.adminPort), serverName: "serviceplatform-admin"),
                           services: [observability.prober],
                           onServerRunning: { channel in await onBound(channel.localAddress?.port ?? settings.adminPort) },
                           logger: logger)
    }
}

/// The call pipeline as `serve` composes it, around a given transport: `serve` forwards over
/// HTTPS, the hot-path benchmark (`bench-hotpath`) answers in memory. The parts the listeners
/// need beside the pipeline (the STS, the published contract) come with it.
struct PipelineParts {
    let service: KontanthjaelpService
    let municipalities: MunicipalityDirectory
    let verifier: ClientCertificateVerifier
    let agreements: AgreementPolicy
    let audiences: Set<String>
    let issuer: AssertionIssuer
    let signingCertificatePEM: String
    /// The STS certificate the contract package carries: the built-in one on exttest, else the
    /// configured STS's (none without one).
    let publishedSTSCertificatePEM: String?
    let dependencies: ServiceCallPipeline.Dependencies

    init(settings: PlatformSettings, pki: ExttestPKI, store: any PlatformStore, registry: Registry, transport: any ReceiverTransport,
         logger: Logger, auditCommitted: AuditLog.Committed? = nil) throws {
        let municipalities = try MunicipalityDirectory.shipped()
        let service = KontanthjaelpService(schema: try KontanthjaelpSchema(wsdlDirectory: settings.wsdlDirectory))
        // The data folder's test CA signs the exttest certificates: trusted on exttest only.
        var trustBundles = settings.exttest ? [pki.ca.certificatePEM] : []
        for file in settings.clientTrustRoots { trustBundles.append(try String(contentsOfFile: file, encoding: .utf8)) }
        let verifier = try ClientCertificateVerifier(pemBundles: trustBundles)
        let agreements = AgreementPolicy(service: service.name)
        var dependencies = ServiceCallPipeline.Dependencies(
            service: service,
            securityModel: AuthorityContextModel(verifier: verifier, registry: registry, agreements: agreements, directory: municipalities),
            municipalities: municipalities,
            receivers: registry,
            transport: transport,
            // A store other instances share claims each (caller, BeskedID) across them; SQLite does not.
            replay: ReceiptReplay(store: store, shared: (store as? any MessageClaims).map {
                CrossInstanceClaim(claims: $0, forwardTimeout: .milliseconds(settings.forwardTimeoutMs))
            }),
            audit: AuditLog(store: store, committed: auditCommitted),
            hasher: try PersonalDataHasher.loadOrCreate(keyFile: (settings.dataDirectory as NSString).appendingPathComponent("audit-hmac.key")))
        let audiences = Set([PlatformSettings.defaultAudience] + settings.extraAudiences)
        let issuer = try AssertionIssuer(entityID: PlatformSettings.exttestSTSEntityID, certificatePEM: pki.sts.certificatePEM,
                                         privateKeyPEM: pki.sts.keyPEM)
        var trusted = settings.exttest ? [try TrustedSTS(entityID: issuer.entityID, certificatePEM: pki.sts.certificatePEM)] : []
        var externalSTSPEM: String?
        if let external = settings.trustedSTS {
            let pem = try String(contentsOfFile: external.file, encoding: .utf8)
            trusted.append(try TrustedSTS(entityID: external.entityID, certificatePEM: pem))
            externalSTSPEM = pem
        }
        dependencies.securityModel = SecurityModelSelector(
            authorityContext: dependencies.securityModel,
            token: SAMLTokenModel(settings: .init(trustedSTS: trusted, audiences: audiences), registry: registry,
                                  agreements: agreements, directory: municipalities,
                                  replay: (store as? PostgresStore).map { $0 as any ReplayGuard } ?? ReplayCache()))
        let signing = try settings.signingCertificate.map(PEMPair.init(files:)) ?? PEMPair(pki.responseSigning)
        dependencies.responseSigner = try ResponseSigner(certificatePEM: signing.certificatePEM, privateKeyPEM: signing.keyPEM)
        dependencies.logger = logger
        dependencies.limits = XMLLimits(maxBytes: settings.maxBodyBytes)
        self.service = service
        self.municipalities = municipalities
        self.verifier = verifier
        self.agreements = agreements
        self.audiences = audiences
        self.issuer = issuer
        signingCertificatePEM = signing.certificatePEM
        publishedSTSCertificatePEM = settings.exttest ? pki.sts.certificatePEM : externalSTSPEM
        self.dependencies = dependencies
    }
}
