import NIOCore
import NIOSSL
import ServicePlatform
import Synchronization

/// The client certificate of each open TLS connection, read once per connection: asking the
/// TLS handler hops to the channel's event loop, and the DER and its fingerprint cost as much
/// again, on every request of a keep-alive connection otherwise. A server-side TLS session
/// never renegotiates, so the certificate cannot change while the connection lives; an entry
/// leaves when its connection closes.
final class ConnectionPeers: Sendable {
    static let shared = ConnectionPeers()

    private enum Entry: Sendable { case peer(TLSPeer), absent }
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    func peer(of channel: any Channel) async -> TLSPeer? {
        let key = ObjectIdentifier(channel)
        if let entry = entries.withLock({ $0[key] }) {
            if case .peer(let peer) = entry { return peer }
            return nil
        }
        let peer: TLSPeer?
        if let certificate = try? await channel.nioSSL_peerCertificate().get(), let der = try? certificate.toDERBytes() {
            peer = TLSPeer(certificateDER: der)
        } else {
            peer = nil
        }
        // Only a connection that is still open is remembered, so every entry has a close to remove it.
        guard channel.isActive else { return peer }
        let inserted = entries.withLock { entries -> Bool in
            guard entries[key] == nil else { return false }
            entries[key] = peer.map(Entry.peer) ?? .absent
            return true
        }
        if inserted {
            channel.closeFuture.whenComplete { [weak self] _ in
                _ = self?.entries.withLock { $0.removeValue(forKey: key) }
            }
        }
        return peer
    }

    var count: Int { entries.withLock { $0.count } }
}
