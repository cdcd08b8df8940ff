import Foundation
import SOAPCodec
import Testing

@Suite("Hex encoding")
struct HexTests {
    @Test("every byte value, against Foundation's %02x")
    func everyByte() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.encode(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
    }

    @Test("contiguous bytes (Data, as a digest is), an array, a buffer and a lazy non-contiguous sequence give the same text")
    func everyKindOfInput() {
        let bytes: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff]
        let known = "00017f80abcdefff"
        #expect(Hex.encode(Data(bytes)) == known)
        #expect(Hex.encode(bytes) == known)
        #expect(bytes.withUnsafeBytes { Hex.encode($0) } == known)
        #expect(Hex.encode(bytes.lazy.map { $0 }) == known)
        #expect(Hex.encode(Data(bytes)[2...]) == "7f80abcdefff")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode(EmptyCollection<UInt8>()) == "")
    }
}
