/// The result of one run, as written to the JSON file and summarised on one line.
public struct LoadReport: Sendable, Codable, Equatable {
    public var url: String
    public var mode: String
    public var concurrency: Int
    /// Open loop only: the planned rate.
    public var ratePerSecond: Double?
    public var durationSeconds: Double
    public var warmupSeconds: Double
    public var bodyBytes: Int
    /// Every call that left, warm-up included: compare with the audit log.
    public var callsSent: Int
    /// Calls inside the measured window (after warm-up).
    public var callsMeasured: Int
    /// Open loop only: planned calls never sent because the run fell too far behind.
    public var notSent: Int
    public var errors: ErrorCounts
    public var errorSamples: [String]
    /// Measured calls per second of the measured window.
    public var throughputPerSecond: Double
    public var latencyMicros: LatencySummary
    /// CPU time of the generator process itself (user + system), for the whole run.
    public var generatorCpuSeconds: Double
    public var elapsedSeconds: Double
    /// Runs from prepared messages only: how many there were.
    public var presignedMessages: Int? = nil
    /// Runs from prepared messages only: whether they ran out before the run's end (then the
    /// run ended early; a benchmark row must be given enough).
    public var presignedExhausted: Bool? = nil

    /// One line for a log: mode, calls, errors, rate and the percentiles in milliseconds.
    public var summaryLine: String {
        func ms(_ micros: UInt64) -> String { Self.format(Double(micros) / 1000, 3) }
        var parts = ["bench", "mode=\(mode)", "concurrency=\(concurrency)"]
        if let ratePerSecond { parts.append("rate=\(Self.format(ratePerSecond, 1))") }
        parts += ["bytes=\(bodyBytes)", "sent=\(callsSent)", "measured=\(callsMeasured)", "errors=\(errors.total)"]
        if notSent > 0 { parts.append("notSent=\(notSent)") }
        if let presignedMessages { parts.append("presigned=\(presignedMessages)") }
        if presignedExhausted == true { parts.append("presignedExhausted=true") }
        parts += ["throughput=\(Self.format(throughputPerSecond, 1))/s", "p50=\(ms(latencyMicros.p50))ms",
                  "p99=\(ms(latencyMicros.p99))ms", "p99.9=\(ms(latencyMicros.p999))ms", "max=\(ms(latencyMicros.max))ms"]
        return parts.joined(separator: " ")
    }

    /// Fixed-point text without Foundation's locale-dependent formatting.
    static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "nan" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(whole)" }
        let digits = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: Swift.max(0, decimals - digits.count)) + digits
    }
}
