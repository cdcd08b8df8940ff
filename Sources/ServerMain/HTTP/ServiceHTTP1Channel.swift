import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// The service listener's HTTP/1.1 connection: Hummingbird's own pipeline (codec, decoder
/// limits, HTTP types, connection state, the router for everything else) with a
/// `ServiceCallHandler` in front that answers the service's POSTs on the event loop. Those calls
/// skip the conversion to HTTP types and the async request and response streams, which measured
/// ~40 µs of CPU per call, a third of the listener's cost (issue 9, `bench-floor`). NIO's
/// pipelining assistance keeps answers in request order across the two paths, and at graceful
/// shutdown closes each connection once the request under way, on either path, is answered.
struct ServiceHTTP1Channel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let calls: ServiceCallHandler.Configuration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Hummingbird's HTTP1Channel defaults, so the router's path behaves as it does elsewhere.
            let decoder = HTTP1Channel.Configuration().httpDecoder
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = decoder.maxHeaderFieldSize
            limits.maxHeaderListSize = decoder.maxHeaderListSize
            limits.maxHeaderFieldCount = decoder.maxHeaderFieldCount
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: true,
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits)
            try channel.pipeline.syncOperations.addHandler(ServiceCallHandler(calls))
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the service's POSTs answered by `calls` and every other request by the router.
    static func serviceHTTP1(_ calls: ServiceCallHandler.Configuration) -> HTTPServerBuilder {
        .init { responder in ServiceHTTP1Channel(responder: responder, calls: calls) }
    }
}
