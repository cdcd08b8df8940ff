import Foundation
import Testing
@testable import ServerMain

@Suite("The Date header of service answers")
struct HTTPDateTests {
    @Test("RFC 9110's example, the epoch and a leap day")
    func knownDates() {
        #expect(HTTPDate.imfFixdate(epochSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.imfFixdate(epochSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(epochSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
    }

    @Test("agrees with Foundation's formatter across 2 000 instants from 1970 to 2100")
    func agreesWithFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let second = Int.random(in: 0..<4_102_444_800, using: &generator)
            #expect(HTTPDate.imfFixdate(epochSeconds: second) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(second))))
        }
    }
}
