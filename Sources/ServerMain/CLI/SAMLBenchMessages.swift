import Foundation
import LoadGenerator
import ServicePlatform
import Synchronization

/// SAML-model calls for the benchmarks, signed before the measured window: each with fresh
/// UUIDs in the payload (BeskedID, BevillingID, TransaktionsID), a fresh `wsa:MessageID`, a
/// Timestamp of its signing time and its own message signature by the holder-of-key key, in
/// the OIO IDWS layout `TokenMessageSigner` writes (what `serviceplatform send --security saml`
/// sends). The token is either one assertion reused for every message (row d) or a fresh
/// assertion per message, minted with a local STS key the router is told to trust (row e).
struct SAMLBenchMessages: Sendable {
    enum Token: Sendable {
        /// One assertion, as the STS issued it, in every message.
        case reused(assertion: String)
        /// A new assertion for every message, for this holder, CVR and audience.
        case fresh(issuer: AssertionIssuer, holderCertificateDER: [UInt8], cvr: MunicipalityCVR, audience: String)
    }

    let holderKeyPEM: String
    /// The request element's markup; every `{{uuid}}` becomes a fresh UUID in each message.
    let payload: MessageTemplate
    let token: Token
    let action: String
    /// `wsa:To`: the endpoint URL exactly as the generator calls it.
    let endpoint: String

    /// `payload`: the request element's markup with `{{uuid}}` where BeskedID, BevillingID
    /// (and any other id that must not repeat) go.
    init(holderKeyPEM: String, payload: String, token: Token, action: String, endpoint: String) {
        self.holderKeyPEM = holderKeyPEM
        self.payload = MessageTemplate(Array(payload.utf8))
        self.token = token
        self.action = action
        self.endpoint = endpoint
    }

    /// Signs `count` messages on `jobs` concurrent tasks and hands each to `deliver` with its
    /// index (0-based; the order they are to be sent in). Messages are signed roughly in index
    /// order, so their Timestamps rise with the index.
    func sign(count: Int, jobs: Int, deliver: @escaping @Sendable (Int, [UInt8]) throws -> Void) async throws {
        let jobs = max(1, min(jobs, count))
        let next = SharedCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    let signer = try TokenMessageSigner(privateKeyPEM: holderKeyPEM)
                    var generator = SystemRandomNumberGenerator()
                    while true {
                        let index = next.take()
                        guard index < count else { return }
                        try deliver(index, try message(signer: signer, generator: &generator))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// All `count` messages in order, in memory.
    func sign(count: Int, jobs: Int) async throws -> [[UInt8]] {
        let collected = Collected(count: count)
        try await sign(count: count, jobs: jobs) { index, bytes in collected.put(index, bytes) }
        return collected.all
    }

    private final class SharedCounter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }

    private final class Collected: Sendable {
        private let messages: Mutex<[[UInt8]]>
        init(count: Int) { messages = Mutex(Array(repeating: [], count: count)) }
        func put(_ index: Int, _ bytes: [UInt8]) { messages.withLock { $0[index] = bytes } }
        var all: [[UInt8]] { messages.withLock { $0 } }
    }

    private func message(signer: TokenMessageSigner, generator: inout SystemRandomNumberGenerator) throws -> [UInt8] {
        let assertion: String
        switch token {
        case .reused(let issued):
            assertion = issued
        case .fresh(let issuer, let holder, let cvr, let audience):
            assertion = try issuer.issue(holderCertificateDER: holder, cvr: cvr, audience: audience)
        }
        let markup = String(decoding: payload.render(using: &generator), as: UTF8.self)
        return try signer.envelope(payload: markup, assertion: assertion, action: action, to: endpoint)
    }

    /// The DER of the first certificate in a PEM file's text.
    static func certificateDER(pem: String) throws -> [UInt8] {
        let lines = pem.split(whereSeparator: \.isNewline)
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN CERTIFICATE-----") }),
              let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END CERTIFICATE-----") }),
              let der = Data(base64Encoded: lines[(begin + 1)..<end].joined()) else {
            throw ValidationErrorText("no certificate in the PEM text")
        }
        return Array(der)
    }
}

/// A command-line error in words.
struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
