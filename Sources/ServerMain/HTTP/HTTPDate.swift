import Glibc
import SOAPCodec
import Synchronization

/// The `Date` header of the service calls' answers (RFC 9110 §6.6.1: an origin server with a
/// clock sends one), as Hummingbird sets it on the router's: formatted once a second, not per call.
final class HTTPDate: Sendable {
    static let shared = HTTPDate()

    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    /// Now, as an IMF-fixdate.
    var now: String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let second = Int(spec.tv_sec)
        return cached.withLock { cached in
            if cached.second != second { cached = (second, Self.imfFixdate(epochSeconds: second)) }
            return cached.text
        }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for seconds since 1970.
    static func imfFixdate(epochSeconds: Int) -> String {
        let time = CivilTime(epochSeconds: epochSeconds)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(names[time.weekday]), \(two(time.day)) \(months[time.month - 1]) \(time.year) "
            + "\(two(time.hour)):\(two(time.minute)):\(two(time.second)) GMT"
    }
}
