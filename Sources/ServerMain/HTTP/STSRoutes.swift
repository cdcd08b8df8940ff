import Foundation
import Hummingbird
import NIOCore
import ServicePlatform

/// The exttest STS on the service port: `POST /sts/token` with JSON `{"audience", "cvr"}` over
/// mutual TLS answers the signed assertion (`application/samlassertion+xml`), or 403 with a
/// JSON error.
struct STSRoutes: Sendable {
    let tokens: TokenService

    struct TokenRequest: Decodable {
        let audience: String?
        let cvr: String
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.post("/sts/token") { request, context -> Response in
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let parsed = try? JSONDecoder().decode(TokenRequest.self, from: Data(buffer: body)) else {
                return Self.json(.badRequest, ["error": "the body must be JSON {\"audience\", \"cvr\"}"])
            }
            do throws(TokenService.Refusal) {
                let assertion = try await tokens.issue(peer: await context.tlsPeer(),
                                                       audience: parsed.audience ?? PlatformSettings.defaultAudience, cvr: parsed.cvr)
                return Response(status: .ok, headers: [.contentType: "application/samlassertion+xml"],
                                body: .init(byteBuffer: ByteBuffer(string: assertion)))
            } catch {
                return Self.json(.forbidden, ["error": error.message])
            }
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        let data = (try? JSONEncoder().encode(object)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import HTTPTypes
