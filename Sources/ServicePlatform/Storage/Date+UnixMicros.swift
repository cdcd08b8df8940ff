import Foundation

/// How both stores keep the times they sort and range over (the audit, the probe rounds):
/// microseconds since 1970 in a 64-bit integer column.
extension Date {
    package var unixMicros: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }

    package init(unixMicros: Int64) { self.init(timeIntervalSince1970: Double(unixMicros) / 1_000_000) }
}
