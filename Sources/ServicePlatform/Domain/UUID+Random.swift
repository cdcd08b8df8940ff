import Foundation
import SOAPCodec

extension UUID {
    /// A random (version 4) UUID from the system generator (`getrandom`). Foundation's `UUID()`
    /// on Linux opens, reads and closes `/dev/urandom` for every UUID: three system calls on
    /// every service call, for its TransaktionsID.
    package static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var words = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &words) { bytes in
            bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
            bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
            return UUID(uuid: bytes.load(as: uuid_t.self))
        }
    }

    /// A time-ordered (version 7, RFC 9562) UUID: the Unix time in milliseconds, then 12 bits of
    /// sub-millisecond time (the RFC's "method 3"), then 62 random bits. TransaktionsIDs are keys
    /// of the audit table's unique index; random ones put every insert on a random leaf of an
    /// index that outgrows the page cache, ordered ones append. One `getrandom` instead of two.
    package static func timeOrdered(at date: Date = Date()) -> UUID {
        let micros = UInt64(max(0, date.timeIntervalSince1970 * 1_000_000))
        let millis = micros / 1000
        let fraction = (micros % 1000) * 4096 / 1000  // 12 bits
        var generator = SystemRandomNumberGenerator()
        let random: UInt64 = generator.next()
        var words = ((millis << 16 | 0x7000 | fraction).bigEndian, (random & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000).bigEndian)
        return withUnsafeBytes(of: &words) { UUID(uuid: $0.load(as: uuid_t.self)) }
    }

    /// The canonical lowercase text (TransaktionsID, `wsa:MessageID`, assertion ids), from the
    /// bytes: `uuidString.lowercased()` builds and case-maps a string every time.
    package var lowercasedText: String {
        let hex = withUnsafeBytes(of: uuid) { Hex.encode($0) }
        var text = hex.utf8.map { $0 }
        for offset in [20, 16, 12, 8] { text.insert(UInt8(ascii: "-"), at: offset) }
        return String(decoding: text, as: UTF8.self)
    }
}
