/// Delivers to a receiver that lives in this process (the exttest jobcenter when no HTTPS
/// receiver is configured). The envelope still goes out and comes back as bytes, so the
/// forwarder's parsing and receipt validation run exactly as for a remote receiver.
package struct InProcessReceiverTransport: ReceiverTransport {
    package typealias Handler = @Sendable (_ envelope: [UInt8], _ action: String) async -> ReceiverExchange

    private let handler: Handler

    package init(handler: @escaping Handler) { self.handler = handler }

    package func exchange(_ envelope: [UInt8], action: String, with receiver: Receiver) async throws(PlatformFault) -> ReceiverExchange {
        await handler(envelope, action)
    }
}
