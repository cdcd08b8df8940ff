import Foundation
import SOAPCodec
import Testing

@Suite("xs:dateTime")
struct XSDateTimeTests {
    static func utc(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("the lexical forms receivers and STSs write", arguments: [
        ("2026-11-29T03:37:42Z", "2026-11-29T03:37:42Z", 0.0),
        ("2026-11-29T04:37:42+01:00", "2026-11-29T03:37:42Z", 0.0),
        ("2026-11-28T22:07:42-05:30", "2026-11-29T03:37:42Z", 0.0),
        ("2026-11-29T04:37:42.1234567+01:00", "2026-11-29T03:37:42Z", 0.1234567),
        ("2026-11-29T03:37:42.5Z", "2026-11-29T03:37:42Z", 0.5),
        (" \n2026-11-29T03:37:42Z\t", "2026-11-29T03:37:42Z", 0.0),
        ("2026-11-28T24:00:00Z", "2026-11-29T00:00:00Z", 0.0),
        ("2024-02-29T12:00:00+14:00", "2024-02-28T22:00:00Z", 0.0),
        // No zone: Danish local time, winter (+01:00) and summer (+02:00).
        ("2026-11-29T04:37:42", "2026-11-29T03:37:42Z", 0.0),
        ("2026-07-01T12:00:00", "2026-07-01T10:00:00Z", 0.0),
    ])
    func parses(_ text: String, _ instant: String, _ fraction: Double) throws {
        let date = try #require(XSDateTime.parse(text))
        #expect(abs(date.timeIntervalSince1970 - (Self.utc(instant).timeIntervalSince1970 + fraction)) < 1e-6)
    }

    @Test("attack: malformed times are refused, not guessed at", arguments: [
        "", "2026-11-29", "2026-11-29T03:37Z", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
        "2026-11-29T25:00:00Z", "2026-11-29T24:00:01Z", "2026-11-29T24:00:00.5Z", "2026-11-29T03:60:00Z", "2026-11-29T03:37:60Z",
        "2026-11-29 03:37:42Z", "2026-11-29T03:37:42.Z", "2026-11-29T03:37:42+15:00", "2026-11-29T03:37:42+01", "2026-11-29T03:37:42ZZ",
        "2026-11-29T03:37:42Z junk", "+2026-11-29T03:37:42Z", "0000-01-01T00:00:00Z", "2026-1-29T03:37:42Z", "２026-11-29T03:37:42Z",
    ])
    func refuses(_ text: String) {
        #expect(XSDateTime.parse(text) == nil)
    }

    @Test("SAML and WS-Security times must carry a zone: a time without one is refused there")
    func zoneRequired() {
        #expect(XSDateTime.parse("2026-11-29T04:37:42", requiringZone: true) == nil)
        #expect(XSDateTime.parse("2026-11-29T03:37:42Z", requiringZone: true) == Self.utc("2026-11-29T03:37:42Z"))
        #expect(XSDateTime.parse("2026-11-29T04:37:42+01:00", requiringZone: true) == Self.utc("2026-11-29T03:37:42Z"))
    }

    @Test("writes what Foundation's ISO 8601 style writes, and reads back what it wrote, over 2 000 instants from 1970 to 2100")
    func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &generator))
            let text = XSDateTime.format(date)
            #expect(text == date.formatted(.iso8601))
            #expect(XSDateTime.parse(text) == Self.utc(text))
        }
    }

    @Test("civil time and seconds since 1970 convert both ways, before 1970 too")
    func civilTime() {
        for seconds in [-86_401, -1, 0, 951_782_400, 1_795_923_462, 4_102_444_799] {
            let time = CivilTime(epochSeconds: seconds)
            #expect(time.epochSeconds == seconds)
        }
        #expect(CivilTime(epochSeconds: -1) == CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        #expect(CivilTime(epochSeconds: 0).weekday == 4)
    }
}
