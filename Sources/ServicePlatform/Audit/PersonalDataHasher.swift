import Crypto
import Foundation
import SOAPCodec

/// Turns a CPR number into a keyed hash (HMAC-SHA256) for the audit log: the same person is
/// findable by whoever holds the key, and the log alone reveals nothing. The key lives in the
/// data directory, created once.
package struct PersonalDataHasher: Sendable {
    /// Raw key bytes: `SymmetricKey` is not Sendable in this swift-crypto.
    private let keyBytes: [UInt8]

    package init(key: SymmetricKey) { keyBytes = key.withUnsafeBytes { Array($0) } }

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
            Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(digits.utf8), using: SymmetricKey(data: keyBytes)))
        }
    }
}
