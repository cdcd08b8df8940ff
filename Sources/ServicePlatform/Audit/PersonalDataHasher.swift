import Crypto
import Foundation
import SOAPCodec

/// Turns a CPR number into a keyed hash (HMAC-SHA256) for the audit log: the same person is
/// findable by whoever holds the key, and the log alone reveals nothing. The key lives in the
/// data directory, created once.
package struct PersonalDataHasher: Sendable {
    /// The HMAC with the key already absorbed, copied for each hash: keying costs two SHA-256
    /// blocks and allocations, ~15 000 instructions a call. Never mutated, so sharing it is safe
    /// (a copy's first update copies the hash state before writing); `HMAC` is not declared
    /// Sendable in this swift-crypto.
    private nonisolated(unsafe) let keyed: HMAC<SHA256>

    package init(key: SymmetricKey) { keyed = HMAC<SHA256>(key: key) }

    /// Reads the key file, creating it (mode 0600) with 32 random bytes the first time.
    package static func loadOrCreate(keyFile: String) throws -> PersonalDataHasher {
        if let data = FileManager.default.contents(atPath: keyFile), data.count == 32 {
            return PersonalDataHasher(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: keyFile, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return PersonalDataHasher(key: key)
    }

    package func hash(_ identifier: PersonalIdentifier) -> String {
        identifier.withDigits { digits in
            var mac = keyed
            var digits = digits
            digits.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
            return Hex.encode(mac.finalize())
        }
    }
}
