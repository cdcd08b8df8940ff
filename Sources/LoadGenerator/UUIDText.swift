/// Random version-4 UUIDs written straight into a byte buffer in lowercase text form, without
/// Foundation's `UUID` and `String` round trip, so the generator spends its CPU on sending.
public enum UUIDText {
    public static let length = 36
    private static let hex = Array("0123456789abcdef".utf8)

    public static func appendRandom<G: RandomNumberGenerator>(to out: inout [UInt8], using generator: inout G) {
        var high = generator.next()
        var low = generator.next()
        // Version 4 (random) and the RFC 4122 variant bits.
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        for i in 0..<16 {
            let word = i < 8 ? high : low
            let byte = UInt8(truncatingIfNeeded: word >> UInt64((7 - i % 8) * 8))
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        appendRandom(to: &out, using: &generator)
        return String(decoding: out, as: UTF8.self)
    }
}
