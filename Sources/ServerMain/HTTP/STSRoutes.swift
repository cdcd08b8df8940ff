import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServicePlatform

/// The exttest STS on the service port, over mutual TLS, in two request shapes: `POST /sts/token`
/// with JSON `{"audience", "cvr"}` answers the signed assertion (`application/samlassertion+xml`);
/// `POST /runtime/api/rest/wstrust/v1/issue` takes the real platform's REST STS request and
/// answers `{"RequestedSecurityToken": {"Assertion": base64}, ...}`, so such clients only change
/// the host. A refusal is 403 with a JSON error.
struct STSRoutes: Sendable {
    let tokens: TokenService

    struct TokenRequest: Decodable {
        let audience: String?
        let cvr: String
    }

    /// The real platform's REST STS request (fields as its clients send them).
    struct IssueRequest: Decodable {
        struct AppliesToOut: Encodable {
            struct EndpointReferenceOut: Encodable { let Address: String }
            let EndpointReference: EndpointReferenceOut
        }
        struct Context: Decodable { let Cvr: String }
        struct EndpointReference: Decodable { let Address: String }
        struct AppliesTo: Decodable { let EndpointReference: EndpointReference }
        let TokenType: String?
        let RequestType: String?
        let KeyType: String?
        let AnvenderKontekst: Context
        let UseKey: String?
        let AppliesTo: AppliesTo
        let OnBehalfOf: String?
    }

    struct IssueResponse: Encodable {
        struct Token: Encodable { let Assertion: String }
        struct Lifetime: Encodable { let Created: String; let Expires: String }
        let TokenType: String
        let RequestedSecurityToken: Token
        let Lifetime: Lifetime
        let AppliesTo: IssueRequest.AppliesToOut
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.post("/runtime/api/rest/wstrust/v1/issue") { request, context -> Response in
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let parsed = try? JSONDecoder().decode(IssueRequest.self, from: Data(buffer: body)) else {
                return Self.json(.badRequest, ["error": "the body must be the REST STS issue request (AnvenderKontekst.Cvr, AppliesTo.EndpointReference.Address, UseKey)"])
            }
            if let type = parsed.KeyType, !type.hasSuffix("PublicKey") {
                return Self.json(.badRequest, ["error": "only holder-of-key (PublicKey) tokens are issued"])
            }
            let useKey = parsed.UseKey.flatMap { Data(base64Encoded: $0.filter { !$0.isWhitespace }) }.map { [UInt8]($0) }
            if parsed.UseKey != nil, useKey == nil { return Self.json(.badRequest, ["error": "UseKey must be a base64 DER certificate"]) }
            do throws(TokenService.Refusal) {
                let audience = parsed.AppliesTo.EndpointReference.Address
                let assertion = try await tokens.issue(peer: await context.tlsPeer(), audience: audience,
                                                       cvr: parsed.AnvenderKontekst.Cvr, useKey: useKey)
                let now = Date()
                let answer = IssueResponse(
                    TokenType: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
                    RequestedSecurityToken: .init(Assertion: Data(assertion.utf8).base64EncodedString()),
                    Lifetime: .init(Created: now.formatted(.iso8601), Expires: now.addingTimeInterval(tokens.lifetime).formatted(.iso8601)),
                    AppliesTo: .init(EndpointReference: .init(Address: audience)))
                let data = (try? JSONEncoder().encode(answer)) ?? Data()
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            } catch {
                return Self.json(.forbidden, ["error": error.message])
            }
        }
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
