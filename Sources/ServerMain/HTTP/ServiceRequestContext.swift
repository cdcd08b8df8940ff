import Hummingbird
import NIOCore
import NIOSSL
import ServicePlatform

/// The service listener's request context: it keeps the channel, so the handler can read the
/// TLS client certificate the peer presented.
struct ServiceRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The presented client certificate, nil without TLS or without a certificate.
    func tlsPeer() async -> TLSPeer? {
        await ConnectionPeers.shared.peer(of: channel)
    }
}
