import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServicePlatform

/// The service endpoint as HTTP: a thin adapter that turns a request into an `InboundCall`
/// for the pipeline and its reply back into a response. GET serves the published contract;
/// any other method is 405; a body over the limit is 413 before a byte is parsed.
struct ServiceRoutes: Sendable {
    typealias Context = ServiceRequestContext
    static var path: String { "/service/JC/Kontanthjaelp/2" }

    let pipeline: ServiceCallPipeline
    let contract: PublishedContract
    let maxBodyBytes: Int
    /// `https` on a TLS listener; the published address uses it.
    let scheme: String
    let fallbackHost: String

    /// The router's part of the endpoint: GET. Its POSTs never reach the router
    /// (`ServiceCallHandler` takes them off the connection and hands them to `answer`), nor does
    /// any other method: the handler answers those 405 itself, whatever the method's name.
    func add(to router: Router<Context>) {
        // Hummingbird matches a trailing slash to the same route, as the contract wants.
        router.get(RouterPath(Self.path)) { request, _ in try self.publishedContract(request) }
    }

    /// How the listener's service calls are taken: by `answer`, up to the body limit.
    func calls(serverName: String, metrics: PlatformMetrics?) -> ServiceCallHandler.Configuration {
        .init(path: Self.path, maxBodyBytes: maxBodyBytes, serverName: serverName, metrics: metrics, answer: answer,
              refuseOversized: refuseOversized)
    }

    /// One call through the pipeline. A compressed body is refused (415) unread.
    @Sendable func answer(_ request: ServiceHTTPRequest) async -> ServiceHTTPResponse {
        if let encoding = request.contentEncoding, encoding.lowercased() != "identity" {
            return await refuse(request, PlatformFault(.malformedRequest, "a compressed request body (Content-Encoding) is not accepted"),
                                status: 415)
        }
        let reply = await pipeline.handle(await inboundCall(request))
        return ServiceHTTPResponse(status: reply.status, contentType: reply.contentType, body: reply.body)
    }

    /// A body over the limit: 413, with the SP-1001 fault a caller gets for any unreadable body.
    @Sendable func refuseOversized(_ request: ServiceHTTPRequest) async -> ServiceHTTPResponse {
        await refuse(request, PlatformFault(.malformedRequest, "the request body is larger than \(maxBodyBytes) bytes"), status: 413)
    }

    /// A refusal before the body is read: a SOAP fault, audited, like those after it is read.
    private func refuse(_ request: ServiceHTTPRequest, _ fault: PlatformFault, status: Int) async -> ServiceHTTPResponse {
        let reply = await pipeline.refuse(await inboundCall(request), fault, status: status)
        return ServiceHTTPResponse(status: reply.status, contentType: reply.contentType, body: reply.body)
    }

    private func inboundCall(_ request: ServiceHTTPRequest) async -> InboundCall {
        InboundCall(body: request.body, contentType: request.contentType, soapAction: request.soapAction,
                    peer: await ConnectionPeers.shared.peer(of: request.channel), endpoint: endpoint(authority: request.host))
    }

    func publishedContract(_ request: Request) throws -> Response {
        if request.uri.query == "package" {
            // The WSDLs inside name the address the client used, as `?wsdl` does.
            let archive: Data
            do {
                archive = try contract.contractPackage.archive(endpoint: endpoint(authority: request.head.authority))
            } catch {
                throw HTTPError(.internalServerError, message: "the contract package could not be made")
            }
            return Response(status: .ok,
                            headers: [.contentType: "application/zip",
                                      .contentDisposition: "attachment; filename=\"\(ContractPackage.fileName)\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: archive)))
        }
        guard let query = request.uri.query,
              let text = contract.document(forQuery: query, endpoint: endpoint(authority: request.head.authority)) else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "Ask for ?wsdl, ?wsdl=token, ?wsdl=NAME, ?xsd=NAME or ?package\n")))
        }
        return Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The address the client used; a Host with anything but host characters is ignored.
    func endpoint(authority: String?) -> String {
        "\(scheme)://\(Self.host(authority, fallback: fallbackHost))\(Self.path)"
    }

    static func host(_ authority: String?, fallback: String) -> String {
        guard let authority, !authority.isEmpty, authority.utf8.count <= 255, authority.utf8.allSatisfy(isHostByte) else { return fallback }
        return authority
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }
}

extension HTTPField.Name {
    static let soapAction = HTTPField.Name("SOAPAction")!
}
