import ArgumentParser
import Foundation
import GRDB
import GrantService
import LoadGenerator
import Logging
import ServicePlatform
import SOAPCodec

/// `serviceplatform bench-hotpath`: the router's call pipeline in process, without HTTP or TLS,
/// for an instruction count under callgrind (`scripts/bench.d/callgrind.sh`). The pipeline is
/// composed as `Platform.build` composes it (schema validation, the security models, registry,
/// idempotency, durable SQLite audit with group commit, response signing), except that the
/// receiver is an in-memory transport answering a fixed valid receipt. Every message is
/// prepared before the measured iterations: AuthorityContext calls with fresh UUIDs, SAML calls
/// signed with one reused token. The measured iterations run between two marker functions,
/// `serviceplatform_hotpath_measure_start` and `serviceplatform_hotpath_measure_end`, for
/// callgrind's `--zero-before` and `--dump-before`.
struct BenchHotPath: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-hotpath",
        abstract: "Run the call pipeline in process (no HTTP, in-memory receiver) for W warm-up and M measured iterations.")

    enum Case: String, ExpressibleByArgument, CaseIterable {
        case authorityContext = "authority-context"
        case saml
    }

    @Option(name: .customLong("case"), help: "authority-context (mutual TLS identity, ~3 KB message) or saml (pre-signed, one token).")
    var which: Case
    @Option(help: "Warm-up iterations (not measured).") var warmup = 20
    @Option(help: "Measured iterations.") var iterations = 200
    @Option(help: "AuthorityContext: the caller's envelope with {{uuid}} placeholders (scripts/bench.d/messages.py caller-3k.xml).")
    var bodyFile: String?
    @Option(help: "SAML: the request element with {{uuid}} placeholders (scripts/bench.d/messages.py saml-payload-3k.xml).")
    var samlPayloadFile: String?
    @Option(help: "The WSDL/XSD folder.") var wsdlDir = "wsdl"
    @Option(help: "Keeps the generated test PKI between runs (its database is always new); default: a temporary folder.")
    var dataDir: String?
    @Option(help: "Concurrent signing tasks for the SAML messages.") var jobs = ProcessInfo.processInfo.activeProcessorCount

    static let endpoint = "https://127.0.0.1:8443/service/JC/Kontanthjaelp/2"

    func validate() throws {
        guard warmup >= 1, iterations >= 1 else { throw ValidationError("--warmup and --iterations must be at least 1") }
        switch which {
        case .authorityContext: if bodyFile == nil { throw ValidationError("--case authority-context needs --body-file") }
        case .saml: if samlPayloadFile == nil { throw ValidationError("--case saml needs --saml-payload-file") }
        }
    }

    func run() async throws {
        let temporary = dataDir == nil
        let base = dataDir ?? NSTemporaryDirectory() + "serviceplatform-hotpath-\(UUID().uuidString)"
        let runDirectory = (base as NSString).appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary ? base : runDirectory) }

        let pki = try ExttestPKI.ensure(dataDirectory: base)
        let bench = try await HotPathPipeline.build(pki: pki, databaseDirectory: runDirectory, wsdlDirectory: wsdlDir)
        let total = warmup + iterations
        let calls = try await prepare(count: total, pki: pki)

        // Warm-up: every answer is checked, so a broken setup cannot pass for a fast one.
        for call in calls[..<warmup] {
            let reply = await bench.pipeline.handle(call)
            guard reply.status == 200, ByteSearch.contains(Array(">Modtaget<".utf8), in: reply.body) else {
                throw ValidationErrorText("warm-up call failed (HTTP \(reply.status), \(reply.faultCode?.rawValue ?? "no fault code")): "
                                          + String(decoding: reply.body.prefix(600), as: UTF8.self))
            }
        }
        let cpuBefore = Self.processCPUSeconds()
        let clockBefore = ContinuousClock.now
        HotPathMarker.measureStart(iterations)
        var failed = 0
        for call in calls[warmup...] {
            let reply = await bench.pipeline.handle(call)
            if reply.status != 200 { failed += 1 }
        }
        HotPathMarker.measureEnd(failed)
        let elapsed = ContinuousClock.now - clockBefore
        let cpu = Self.processCPUSeconds() - cpuBefore
        let audited = try bench.auditCount()
        guard failed == 0 else { throw ValidationErrorText("\(failed) of \(iterations) measured calls failed") }
        guard audited == total else { throw ValidationErrorText("\(total) calls but \(audited) audit records") }
        let wallMicros = (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(iterations)
        Console.line("hotpath case=\(which.rawValue) warmup=\(warmup) iterations=\(iterations) bytes=\(calls[warmup].body.count) "
                     + "audit=\(audited) wall=\(Int(wallMicros.rounded()))us/call cpu=\(Int((cpu * 1e6 / Double(iterations)).rounded()))us/call")
    }

    /// User + system CPU time of the process, every thread.
    static func processCPUSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }

    /// Every call of the run, prepared before the first one is handled.
    private func prepare(count: Int, pki: ExttestPKI) async throws -> [InboundCall] {
        let callerDER = try SAMLBenchMessages.certificateDER(pem: pki.demoCaller.certificatePEM)
        let peer = TLSPeer(certificateDER: callerDER)
        let action = Kontanthjaelp.retBevilling.action
        let bodies: [[UInt8]]
        switch which {
        case .authorityContext:
            let template = try MessageTemplate(Array(String(contentsOfFile: bodyFile ?? "", encoding: .utf8).utf8))
            guard template.placeholderCount > 0 else { throw ValidationErrorText("\(bodyFile ?? "") has no {{uuid}}: BeskedIDs would repeat") }
            var generator = SystemRandomNumberGenerator()
            bodies = (0..<count).map { _ in template.render(using: &generator) }
        case .saml:
            let issuer = try AssertionIssuer(entityID: PlatformSettings.exttestSTSEntityID, certificatePEM: pki.sts.certificatePEM,
                                             privateKeyPEM: pki.sts.keyPEM)
            guard let cvr = MunicipalityCVR("64942212") else { throw ValidationErrorText("bad CVR") }
            let assertion = try issuer.issue(holderCertificateDER: callerDER, cvr: cvr, audience: PlatformSettings.defaultAudience)
            let payload = try String(contentsOfFile: samlPayloadFile ?? "", encoding: .utf8)
            let messages = SAMLBenchMessages(holderKeyPEM: pki.demoCaller.keyPEM, payload: payload, token: .reused(assertion: assertion),
                                             action: action, endpoint: Self.endpoint)
            bodies = try await messages.sign(count: count, jobs: jobs)
        }
        return bodies.map {
            InboundCall(body: $0, contentType: "text/xml; charset=utf-8", soapAction: "\"\(action)\"", peer: peer, endpoint: Self.endpoint)
        }
    }
}

/// The markers around the measured iterations. Their symbol names are fixed (`@_silgen_name`)
/// and they are neither inlined nor specialised, so that callgrind can be told
/// `--zero-before=serviceplatform_hotpath_measure_start --dump-before=serviceplatform_hotpath_measure_end`;
/// the dump then holds the instructions of exactly the measured iterations, on every thread
/// (the audit writer's included).
enum HotPathMarker {
    nonisolated(unsafe) static var sink = 0

    @inline(never) @_optimize(none) @_silgen_name("serviceplatform_hotpath_measure_start")
    static func measureStart(_ iterations: Int) { sink &+= iterations }

    @inline(never) @_optimize(none) @_silgen_name("serviceplatform_hotpath_measure_end")
    static func measureEnd(_ failures: Int) { sink &+= failures &* 3 &+ 1 }
}

/// The router's pipeline, as `Platform.build` composes it, with an in-memory receiver.
struct HotPathPipeline {
    let pipeline: ServiceCallPipeline
    let store: SQLiteStore
    let databasePath: String

    /// The audit records written, read from the database file as the bench script counts them.
    func auditCount() throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit") ?? 0 }
    }

    static func build(pki: ExttestPKI, databaseDirectory: String, wsdlDirectory: String) async throws -> HotPathPipeline {
        let databasePath = (databaseDirectory as NSString).appendingPathComponent("platform.sqlite")
        let store = try SQLiteStore(path: databasePath)
        let registry = try await Registry(store: store)
        // As `serve` composes it (its default settings), with an in-memory receiver.
        let settings = PlatformSettings(dataDirectory: databaseDirectory, servicePort: 0, adminPort: 0, bindAddress: "127.0.0.1", adminToken: nil,
                                        wsdlDirectory: wsdlDirectory, maxBodyBytes: PlatformOptions.defaultMaxBodyBytes)
        var logger = Logger(label: "serviceplatform.hotpath")
        logger.logLevel = .error
        let parts = try PipelineParts(settings: settings, pki: pki, store: store, registry: registry,
                                      transport: FixedReceiptTransport(systemID: DemoJobcenter.systemID), logger: logger)
        let commands = AdminCommands(store: store, registry: registry, municipalities: parts.municipalities, services: [parts.service.name])
        try await DemoData.ensure(store: store, registry: registry, commands: commands, municipalities: parts.municipalities, pki: pki,
                                  jobcenterEndpoint: "https://127.0.0.1:9/jobcenter/kontanthjaelp", service: parts.service.name)
        return HotPathPipeline(pipeline: ServiceCallPipeline(parts.dependencies), store: store, databasePath: databasePath)
    }
}

/// A receiver that answers every forwarded call at once with the same valid receipt (what the
/// demo jobcenter answers, minus its HTTPS and its database).
struct FixedReceiptTransport: ReceiverTransport {
    let answer: ReceiverExchange

    init(systemID: String) {
        let receipt = Receipt(messageID: "00000000-0000-4000-8000-000000000000", transactionID: TransactionID(), status: .received,
                              errors: [], receiverSystem: systemID, receivedAt: Date())
        answer = ReceiverExchange(status: 200, body: SOAPMessageWriter.envelope(
            .soap11, body: KvitteringXML.encode(receipt, operation: Kontanthjaelp.retBevilling)))
    }

    func exchange(_ envelope: [UInt8], action: String, with receiver: Receiver) async throws(PlatformFault) -> ReceiverExchange {
        answer
    }
}
