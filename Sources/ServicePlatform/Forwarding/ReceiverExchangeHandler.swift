import NIOCore
import NIOHTTP1

/// One request on a receiver connection: what to send, and where the answer goes.
struct ReceiverRequest {
    let head: HTTPRequestHead
    let body: ByteBuffer
    let deadline: NIODeadline
    let promise: EventLoopPromise<ReceiverAnswer>
}

/// The receiver's HTTP answer, and whether its connection may carry another request.
struct ReceiverAnswer: Sendable {
    let exchange: ReceiverExchange
    let reusable: Bool
}

/// Why a receiver connection gave no answer.
enum ReceiverConnectionError: Error {
    case timedOut
    case closed
    case answerTooLarge
    case busy
}

/// Carries one request at a time over a kept-alive HTTP/1.1 connection and collects the whole
/// answer, up to a size limit, before a deadline. Anything else (an early close, a TLS or
/// parse error) fails the request and the connection, which is never reused after a failure.
final class ReceiverExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = ReceiverRequest
    typealias OutboundOut = HTTPClientRequestPart

    private let maxAnswerBytes: Int
    private var promise: EventLoopPromise<ReceiverAnswer>?
    private var timeout: Scheduled<Void>?
    private var status = 0
    private var keepAlive = false
    private var body: [UInt8] = []

    init(maxAnswerBytes: Int) { self.maxAnswerBytes = maxAnswerBytes }

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard promise == nil else {
            // The pool lends a connection to one exchange at a time; this is a defect, not load.
            request.promise.fail(ReceiverConnectionError.busy)
            writePromise?.fail(ReceiverConnectionError.busy)
            return
        }
        promise = request.promise
        status = 0
        keepAlive = false
        body.removeAll(keepingCapacity: true)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(deadline: request.deadline) {
            let (handler, context) = loopBound.value
            handler.fail(ReceiverConnectionError.timedOut, context: context)
        }
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: writePromise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // An answer nobody asked for: the connection is out of step, so it is not used again.
        guard promise != nil else {
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
        case .body(let part):
            guard body.count + part.readableBytes <= maxAnswerBytes else {
                fail(ReceiverConnectionError.answerTooLarge, context: context)
                return
            }
            part.withUnsafeReadableBytes { body.append(contentsOf: $0) }
        case .end:
            let answer = ReceiverAnswer(exchange: ReceiverExchange(status: status, body: body), reusable: keepAlive)
            body = []
            finish()?.succeed(answer)
            if !keepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()?.fail(ReceiverConnectionError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        finish()?.fail(error)
        context.close(promise: nil)
    }

    /// Ends the request under way, handing back its promise to complete.
    private func finish() -> EventLoopPromise<ReceiverAnswer>? {
        timeout?.cancel()
        timeout = nil
        defer { promise = nil }
        return promise
    }
}
