import AsyncHTTPClient
import NIOCore

/// Sends one call and judges its answer: 200 and (where asked) the expected text in the body.
/// Knows nothing of timing, so both loops share it.
struct CallSender: Sendable {
    enum Outcome: Sendable {
        case success
        case failure(ErrorCounts.Kind, String)
    }

    let url: String
    let headers: [(name: String, value: String)]
    let expect: [UInt8]?
    let client: HTTPClient
    let timeout: TimeAmount
    let maxAnswerBytes = 4 << 20

    init(plan: LoadPlan, client: HTTPClient) {
        url = plan.url
        headers = plan.headers
        expect = plan.expectSubstring.map { Array($0.utf8) }
        self.client = client
        timeout = .nanoseconds(plan.timeout.nanoseconds)
    }

    func send(_ body: [UInt8]) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: maxAnswerBytes)
            let bytes = Array(answer.readableBytesView)
            guard response.status.code == 200 else {
                return .failure(.status, "HTTP \(response.status.code): \(Self.excerpt(bytes))")
            }
            if let expect, !ByteSearch.contains(expect, in: bytes) {
                return .failure(.body, "no \(String(decoding: expect, as: UTF8.self)) in: \(Self.excerpt(bytes))")
            }
            return .success
        } catch {
            return .failure(.transport, "\(error)")
        }
    }

    /// The start of an answer, enough to see a fault code in the log.
    static func excerpt(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(400), as: UTF8.self)
    }
}
