import Foundation
import GrantService
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import ServicePlatform

/// The exttest jobcenter system: a real receiver with its own HTTPS port (mutual TLS: only
/// certificates from the exttest CA, i.e. the platform's, get in) and its own SQLite.
enum DemoJobcenter {
    static let systemID = "demo-jobcenter"
    static let name = "Demo jobcenter"
    static let path = "/jobcenter/kontanthjaelp"
    static let municipalityCodes = ["101", "147", "751"]

    struct Bound: Sendable { let port: Int }

    static func application(pki: ExttestPKI, dataDirectory: String, wsdlDirectory: String, bindAddress: String, port: Int,
                            logger: Logger, onBound: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        let book = try SQLiteGrantBook(path: (dataDirectory as NSString).appendingPathComponent("jobcenter.sqlite"))
        let endpoint = JobcenterEndpoint(systemID: systemID, schema: try KontanthjaelpSchema(wsdlDirectory: wsdlDirectory), book: book,
                                         storageFailed: { error in
                                             logger.error("the grant book failed; answered JC-5001", metadata: ["error": "\(SQLiteGrantBook.describe(error))"])
                                         })
        let router = Router(context: BasicRequestContext.self)
        router.post(RouterPath(path)) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let answer = await endpoint.handle(Array(body.readableBytesView))
            return Response(status: .init(code: answer.status), headers: [.contentType: "text/xml; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.get("/health/live") { _, _ in "ok\n" }
        let tls = try ListenerTLS.mutual(certificatePEM: pki.jobcenterServer.certificatePEM, keyPEM: pki.jobcenterServer.keyPEM,
                                         clientCAPEM: pki.ca.certificatePEM)
        return Application(router: router, server: try .tls(.http1(), tlsConfiguration: tls),
                           configuration: .init(address: .hostname(bindAddress, port: port), serverName: "demo-jobcenter"),
                           onServerRunning: { channel in await onBound(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
