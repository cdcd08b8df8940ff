import Foundation

/// Lowercase hex of bytes: digests and fingerprints on the hot path (`String(format:)` per byte
/// costs microseconds per digest, this costs nanoseconds).
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    package static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // Digests, arrays and buffers are contiguous: one pass into the string's own storage.
        // Iterating a swift-crypto digest byte by byte cost ~12 000 instructions per digest,
        // and a call hex-encodes three (content digest, CPR hash, TransaktionsID).
        if let contiguous = bytes as? any ContiguousBytes {
            return contiguous.withUnsafeBytes(encode(buffer:))
        }
        return Array(bytes).withUnsafeBytes(encode(buffer:))
    }

    private static func encode(buffer bytes: UnsafeRawBufferPointer) -> String {
        let digits = Self.digits
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for byte in bytes {
                out[i] = digits[Int(byte >> 4)]
                out[i + 1] = digits[Int(byte & 0x0F)]
                i += 2
            }
            return i
        }
    }

    /// `count` random bytes, hex-encoded (session ids, tokens).
    package static func random(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return encode((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
