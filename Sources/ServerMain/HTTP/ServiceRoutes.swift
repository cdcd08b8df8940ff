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

    func add(to router: Router<Context>) {
        // Hummingbird matches a trailing slash to the same route, as the contract wants.
        for path in [Self.path] {
            router.post(RouterPath(path)) { request, context in
                try await withTaskExecutorPreference(EventLoopTaskExecutor.of(context.channel.eventLoop)) {
                    try await self.call(request, context: context)
                }
            }
            router.get(RouterPath(path)) { request, _ in self.publishedContract(request) }
            for method in [HTTPRequest.Method.put, .delete, .patch, .head, .options] {
                router.on(RouterPath(path), method: method) { _, _ in
                    Response(status: .methodNotAllowed, headers: [.allow: "GET, POST"])
                }
            }
        }
    }

    func call(_ request: Request, context: Context) async throws -> Response {
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            return Response(status: .unsupportedMediaType)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Response(status: .contentTooLarge, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "SP-1001: the request body is larger than \(maxBodyBytes) bytes\n")))
        }
        let call = InboundCall(body: Array(buffer.readableBytesView), contentType: request.headers[.contentType],
                               soapAction: request.headers[.soapAction], peer: await context.tlsPeer(),
                               endpoint: endpoint(for: request))
        let reply = await pipeline.handle(call)
        return Response(status: .init(code: reply.status),
                        headers: [.contentType: reply.contentType],
                        body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    func publishedContract(_ request: Request) -> Response {
        if request.uri.query == "package" {
            return Response(status: .ok,
                            headers: [.contentType: "application/zip",
                                      .contentDisposition: "attachment; filename=\"\(ContractPackage.fileName)\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: contract.contractPackage.archive)))
        }
        guard let query = request.uri.query,
              let text = contract.document(forQuery: query, endpoint: endpoint(for: request)) else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "Ask for ?wsdl, ?wsdl=token, ?wsdl=NAME, ?xsd=NAME or ?package\n")))
        }
        return Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The address the client used; a Host with anything but host characters is ignored.
    func endpoint(for request: Request) -> String {
        "\(scheme)://\(Self.host(request.head.authority, fallback: fallbackHost))\(Self.path)"
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
