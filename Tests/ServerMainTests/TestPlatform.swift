import Foundation
import GrantService
import Hummingbird
import HummingbirdTesting
import Logging
import PlatformTestSupport
import ServicePlatform
@testable import ServerMain

/// The real service router wired as `demo` wires it, with the in-process jobcenter, on 127.0.0.1 port 0.
struct TestPlatform {
    let book = InMemoryGrantBook()
    let app: Application<RouterResponder<BasicRequestContext>>

    init(maxBodyBytes: Int = 1 << 20) throws {
        let settings = PlatformSettings(dataDirectory: NSTemporaryDirectory(), servicePort: 0, adminPort: 0, bindAddress: "127.0.0.1",
                                        adminToken: nil, wsdlDirectory: TestPaths.wsdlDirectory, maxBodyBytes: maxBodyBytes)
        let (receiver, transport) = try InProcessJobcenter.make(wsdlDirectory: settings.wsdlDirectory, book: book)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let platform = try Platform(settings: settings, receivers: [receiver], transport: transport, logger: logger)
        app = Application(router: platform.serviceRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }
}

enum SOAPHeaders {
    static let path = "/service/JC/Kontanthjaelp/2"

    static func soap11(action: String? = SampleMessages.retAction) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "text/xml; charset=utf-8"]
        if let action { fields[HTTPField.Name("SOAPAction")!] = "\"\(action)\"" }
        return fields
    }

    static func soap12(action: String = SampleMessages.retAction) -> HTTPFields {
        [.contentType: "application/soap+xml; charset=utf-8; action=\"\(action)\""]
    }
}

extension TestClientProtocol {
    /// POSTs `body` to the service path and returns status and reply.
    func post(_ body: String, headers: HTTPFields = SOAPHeaders.soap11(), path: String = SOAPHeaders.path) async throws -> (HTTPResponse.Status, ReplyReader) {
        try await post(Array(body.utf8), headers: headers, path: path)
    }

    func post(_ body: [UInt8], headers: HTTPFields = SOAPHeaders.soap11(), path: String = SOAPHeaders.path) async throws -> (HTTPResponse.Status, ReplyReader) {
        try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
            (response.status, ReplyReader(Array(response.body.readableBytesView)))
        }
    }
}

import HTTPTypes
import NIOCore
