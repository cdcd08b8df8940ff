import NIOCore
import NIOHTTP1
import ServicePlatform

/// A service call as read off the connection: the header fields the call needs, the whole body,
/// and the channel (for the client certificate).
struct ServiceHTTPRequest: Sendable {
    let contentType: String?
    let soapAction: String?
    let contentEncoding: String?
    /// The `Host` header, as the client named the platform.
    let host: String?
    let body: [UInt8]
    let channel: any Channel
}

/// The answer to write back.
struct ServiceHTTPResponse: Sendable {
    let status: Int
    let contentType: String
    let body: [UInt8]
    /// The `Allow` header of a 405: the methods the path does take.
    var allow: String? = nil
}

/// Takes a POST to the service path off the connection, collects its body up to the limit,
/// answers it through `Configuration.answer` in a task on the connection's event loop, and
/// writes the answer. Any method but GET and POST on the service path is 405 here: the router
/// only sees methods it has a route for (anything else it answers 404), and NIO's parser hands
/// over methods such as TRACE, PROPFIND or SOURCE (`HTTPMethod.RAW`) that no route can list.
/// Every other request (a GET for the published contract, other paths) passes on untouched,
/// to Hummingbird's HTTP types and router. It reads NIO's own request parts, before their
/// conversion to HTTP types, which a service call does not need. One request at a time: the pipelining handler in front holds
/// the next one until the answer's end is written, and closes the connection at graceful
/// shutdown once the call under way has its answer.
final class ServiceCallHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    struct Configuration: Sendable {
        /// The service path; the same path with a trailing slash is the same endpoint.
        let path: String
        let maxBodyBytes: Int
        /// The `Server` header, as Hummingbird sets it on the router's answers (`Date` too).
        let serverName: String
        let metrics: PlatformMetrics?
        let answer: @Sendable (ServiceHTTPRequest) async -> ServiceHTTPResponse
        /// The answer to a call whose body grew past `maxBodyBytes` (413), made while the rest of
        /// the body is dropped; the request it gets has the header fields and an empty body.
        let refuseOversized: @Sendable (ServiceHTTPRequest) async -> ServiceHTTPResponse
    }

    private enum State {
        case idle
        /// A request for the router: its parts pass on.
        case passing
        case collecting(HTTPRequestHead, [UInt8])
        /// Refused before its end (too large) and the refusal being made: the rest of the body is
        /// read and dropped meanwhile; `ended` once it is all in.
        case refusing(ended: Bool)
        /// Answered before its end (too large, 405): the rest of the body is read and dropped, then
        /// the connection is closed if the request asked for that.
        case draining(closeAtEnd: Bool)
        /// The whole request is read; the answer is being made.
        case answering
    }

    private let configuration: Configuration
    private var state = State.idle

    init(_ configuration: Configuration) { self.configuration = configuration }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.idle, .head(let head)):
            switch route(head) {
            case .router:
                state = .passing
                context.fireChannelRead(data)
            case .call:
                configuration.metrics?.requestStarted(listener: "service")
                state = .collecting(head, [])
            case .methodNotAllowed:
                // Answered at once; a body that comes with it is read and dropped.
                configuration.metrics?.requestStarted(listener: "service")
                state = .draining(closeAtEnd: !head.isKeepAlive)
                write(.methodNotAllowed, version: head.version, keepAlive: head.isKeepAlive, closing: false, context: context)
            }
        case (.passing, .end):
            state = .idle
            context.fireChannelRead(data)
        case (.passing, _):
            context.fireChannelRead(data)
        case (.collecting(let head, var body), .body(let chunk)):
            state = .answering  // lets `body` be extended in place
            guard body.count + chunk.readableBytes <= configuration.maxBodyBytes else {
                // Not a byte more is kept; the refusal is a fault, audited, as a call's would be.
                state = .refusing(ended: false)
                respond(head, to: ServiceHTTPRequest(head, body: [], channel: context.channel), with: configuration.refuseOversized,
                        context: context)
                return
            }
            chunk.withUnsafeReadableBytes { body.append(contentsOf: $0) }
            state = .collecting(head, body)
        case (.collecting(let head, let body), .end):
            state = .answering
            respond(head, to: ServiceHTTPRequest(head, body: body, channel: context.channel), with: configuration.answer, context: context)
        case (.refusing, .body), (.draining, .body):
            break
        case (.refusing, .end):
            state = .refusing(ended: true)
        case (.draining(let closeAtEnd), .end):
            state = .idle
            if closeAtEnd { context.close(promise: nil) }
        case (.idle, _), (.collecting, .head), (.refusing, .head), (.draining, .head), (.answering, _):
            // Out of step with the pipelining handler's one-request-at-a-time: not served further.
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandon()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        abandon()
        context.fireErrorCaught(error)
    }

    /// A call whose request never arrived whole (the client left, or its framing broke; the
    /// router's side answers the latter with 400) leaves the listener's in-flight count as 400.
    private func abandon() {
        guard case .collecting = state else { return }
        state = .idle
        configuration.metrics?.requestFinished(listener: "service", status: 400)
    }

    /// Who answers a request: this handler (a call, or a 405), or the router.
    private enum Route {
        case call
        case methodNotAllowed
        case router
    }

    private func route(_ head: HTTPRequestHead) -> Route {
        var path = head.uri.utf8[...]
        if let query = path.firstIndex(of: UInt8(ascii: "?")) { path = path[..<query] }
        if path.last == UInt8(ascii: "/") { path = path.dropLast() }
        guard path.elementsEqual(configuration.path.utf8) else { return .router }
        switch head.method {
        case .POST: return .call
        case .GET: return .router  // the published contract
        default: return .methodNotAllowed
        }
    }

    /// Makes the answer in a task on the connection's event loop and writes it there. A refusal
    /// answered before the request's end leaves the rest of the body to be drained.
    private func respond(_ head: HTTPRequestHead, to request: ServiceHTTPRequest,
                         with answer: @escaping @Sendable (ServiceHTTPRequest) async -> ServiceHTTPResponse, context: ChannelHandlerContext) {
        let (version, keepAlive) = (head.version, head.isKeepAlive)
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        Task(executorPreference: EventLoopTaskExecutor.of(loop)) {
            let response = await answer(request)
            loop.execute {
                let (handler, context) = bound.value
                if case .refusing(ended: false) = handler.state {
                    handler.state = .draining(closeAtEnd: !keepAlive)
                    handler.write(response, version: version, keepAlive: keepAlive, closing: false, context: context)
                } else {
                    handler.state = .idle
                    handler.write(response, version: version, keepAlive: keepAlive, closing: !keepAlive, context: context)
                }
            }
        }
    }

    /// `keepAlive` false says `Connection: close`; `closing` closes once the answer is out (not
    /// while a too-large body is still arriving: the client could lose the answer to a reset).
    private func write(_ response: ServiceHTTPResponse, version: HTTPVersion, keepAlive: Bool, closing: Bool,
                       context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(5)
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Date", value: HTTPDate.shared.now)
        headers.add(name: "Server", value: configuration.serverName)
        if let allow = response.allow { headers.add(name: "Allow", value: allow) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        if !closing {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            // Closed once the answer is out, not while it may still sit in the send buffer.
            let channel = context.channel
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        }
        configuration.metrics?.requestFinished(listener: "service", status: response.status)
    }
}

extension ServiceHTTPRequest {
    init(_ head: HTTPRequestHead, body: [UInt8], channel: any Channel) {
        self.init(contentType: head.headers.first(name: "content-type"), soapAction: head.headers.first(name: "soapaction"),
                  contentEncoding: head.headers.first(name: "content-encoding"), host: head.headers.first(name: "host"),
                  body: body, channel: channel)
    }
}

extension ServiceHTTPResponse {
    /// The contract's 405 for any method but GET and POST on the service path.
    static let methodNotAllowed = ServiceHTTPResponse(status: 405, contentType: "text/plain; charset=utf-8", body: [], allow: "GET, POST")
}
