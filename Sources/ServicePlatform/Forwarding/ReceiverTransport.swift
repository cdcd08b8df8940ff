/// What came back from a receiver at the HTTP level.
package struct ReceiverExchange: Sendable {
    package let status: Int
    package let body: [UInt8]
    package init(status: Int, body: [UInt8]) { self.status = status; self.body = body }
}

/// Carries a forwarded envelope to a receiver and brings back its answer. Failures to reach it
/// (refused, TLS, timeout) are SP-3002; what the answer means is the forwarder's business.
package protocol ReceiverTransport: Sendable {
    func exchange(_ envelope: [UInt8], action: String, with receiver: Receiver) async throws(PlatformFault) -> ReceiverExchange
}
