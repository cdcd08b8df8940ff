import SOAPCodec
import Synchronization

/// Holder-of-key keys by certificate fingerprint: loading a key from a certificate costs
/// ~0.2 ms, and a caller reuses its token (and so its key) for hours.
final class SignatureKeyCache: Sendable {
    private let keys = Mutex<[String: SignatureKey]>([:])
    private let capacity: Int

    init(capacity: Int = 1_000) { self.capacity = capacity }

    func key(for certificateDER: [UInt8], fingerprint: String) throws(SignatureKey.LoadError) -> SignatureKey {
        if let cached = keys.withLock({ $0[fingerprint] }) { return cached }
        let key = try SignatureKey(certificateDER: certificateDER)
        keys.withLock { keys in
            if keys.count >= capacity { keys.removeAll() }
            keys[fingerprint] = key
        }
        return key
    }
}
