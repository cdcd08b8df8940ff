import ArgumentParser
import Foundation
import LoadGenerator
import ServicePlatform

/// `serviceplatform bench-presign`: writes N signed SAML-model calls into a folder, one file
/// each (`0000000.xml`, `0000001.xml`, …), for `serviceplatform bench --presigned-dir`. The RSA
/// signatures (about a millisecond each, two with a fresh token) are so spent before the
/// measured window instead of inside it, on every core. The router accepts a Timestamp for at
/// most 300 s, so the messages must be sent within about four minutes of signing.
struct BenchPresign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-presign",
        abstract: "Sign N SAML-model calls (fresh ids, MessageID, Timestamp and signature each) into a folder for `bench --presigned-dir`.")

    @Option(help: "How many messages.") var count: Int
    @Option(help: "The folder to write them to (created; must hold no messages yet).") var outDir: String
    @Option(help: "The request element's markup; every {{uuid}} becomes a fresh UUID in each message.") var payloadFile: String
    @Option(help: "PEM private key of the holder-of-key certificate (the caller's).") var key: String
    @Option(help: "wsa:To: the service endpoint exactly as the load generator calls it.") var endpoint: String
    @Option(help: "wsa:Action.") var action = "urn:serviceplatform:jc:kontanthjaelp:2:RetBevilling"
    @Option(help: "One token for every message: the assertion as the STS issued it.") var assertion: String?
    @Option(help: "A fresh token per message, minted with this STS certificate (PEM; the router must trust it, --trusted-sts) …")
    var stsCert: String?
    @Option(help: "… and its private key (PEM) …") var stsKey: String?
    @Option(help: "… and entity id (the router's --sts-entity-id).") var stsEntityId: String?
    @Option(help: "Fresh tokens: the holder-of-key certificate (PEM; the caller's client certificate).") var holderCert: String?
    @Option(help: "Fresh tokens: the municipality's CVR.") var cvr = "64942212"
    @Option(help: "Fresh tokens: the audience.") var audience = PlatformSettings.defaultAudience
    @Option(help: "Concurrent signing tasks (default: one per core).") var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        let minting = [stsCert, stsKey, stsEntityId, holderCert].map { $0 != nil }
        if assertion != nil {
            guard !minting.contains(true) else { throw ValidationError("--assertion (one token) excludes --sts-cert/--sts-key/--sts-entity-id/--holder-cert (fresh tokens)") }
        } else {
            guard !minting.contains(false) else {
                throw ValidationError("give --assertion FILE (one token reused), or --sts-cert, --sts-key, --sts-entity-id and --holder-cert (a fresh token per message)")
            }
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let messages = try SAMLBenchMessages(holderKeyPEM: read(key), payload: read(payloadFile),
                                             token: token(), action: action, endpoint: endpoint)
        guard messages.payload.placeholderCount > 0 else {
            throw ValidationError("\(payloadFile) has no \(MessageTemplate.defaultPlaceholder): every message would repeat its BeskedID")
        }
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        if try FileManager.default.contentsOfDirectory(atPath: outDir).contains(where: { !$0.hasPrefix(".") }) {
            throw ValidationError("\(outDir) already holds files: every message may be sent only once, so start from an empty folder")
        }
        let directory = outDir
        let width = max(7, String(count - 1).count)
        try await messages.sign(count: count, jobs: jobs) { index, bytes in
            let name = String(repeating: "0", count: max(0, width - String(index).count)) + String(index) + ".xml"
            let path = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw ValidationErrorText("cannot write \(path)")
            }
        }
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let kind = assertion != nil ? "one token reused" : "a fresh token each"
        Console.line("presigned \(count) messages (\(kind)) in \(String(format: "%.1f", seconds)) s on \(jobs) tasks into \(outDir)")
    }

    private func token() throws -> SAMLBenchMessages.Token {
        if let assertion {
            let text = try read(assertion).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.contains("Assertion") else { throw ValidationError("\(assertion) holds no SAML assertion: \(text.prefix(200))") }
            return .reused(assertion: text)
        }
        guard let stsCert, let stsKey, let stsEntityId, let holderCert else { throw ValidationError("no token source") }
        guard let municipality = MunicipalityCVR(cvr) else { throw ValidationError("--cvr must be eight digits") }
        let issuer = try AssertionIssuer(entityID: stsEntityId, certificatePEM: read(stsCert), privateKeyPEM: read(stsKey))
        return .fresh(issuer: issuer, holderCertificateDER: try SAMLBenchMessages.certificateDER(pem: read(holderCert)),
                      cvr: municipality, audience: audience)
    }

    private func read(_ path: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch { throw ValidationError("cannot read \(path)") }
    }
}
