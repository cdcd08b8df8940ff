/// The intended start times of an open-loop run: call `i` is due at `i / rate` seconds after
/// the start. Latency is measured from this time, not from when the call actually left, so
/// time a call spent waiting for a free connection or a late worker counts against the
/// system under test, as it would for a real caller.
public struct OpenLoopSchedule: Sendable, Equatable {
    public let ratePerSecond: Double
    /// Length of the run in nanoseconds; calls due at or after it are not sent.
    public let durationNanoseconds: Int64

    public init(ratePerSecond: Double, durationNanoseconds: Int64) {
        self.ratePerSecond = ratePerSecond
        self.durationNanoseconds = durationNanoseconds
    }

    /// Nanoseconds after the start at which call `index` is due.
    public func offsetNanoseconds(of index: Int) -> Int64 {
        Int64((Double(index) * 1_000_000_000 / ratePerSecond).rounded(.down))
    }

    /// Whether call `index` belongs to the run.
    public func contains(_ index: Int) -> Bool {
        index >= 0 && offsetNanoseconds(of: index) < durationNanoseconds
    }

    /// How many calls the run plans in all.
    public var plannedCalls: Int {
        // The smallest index not contained, found from the estimate and corrected for rounding.
        var n = Int((Double(durationNanoseconds) * ratePerSecond / 1_000_000_000).rounded(.up))
        while n > 0, !contains(n - 1) { n -= 1 }
        while contains(n) { n += 1 }
        return n
    }
}
