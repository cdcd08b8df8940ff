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
        guard let certificate = try? await channel.nioSSL_peerCertificate().get(),
              let der = try? certificate.toDERBytes() else { return nil }
        return TLSPeer(certificateDER: der)
    }
}
