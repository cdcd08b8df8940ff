import Histogram

/// What one worker counted. Each worker owns its tally (no sharing, no locks); the run merges
/// them at the end.
struct WorkerTally: Sendable {
    var histogram = LatencySummary.emptyHistogram()
    /// Calls that left, warm-up included: the number the audit log must match.
    var sent = 0
    /// Calls inside the measured window, whatever their outcome.
    var measured = 0
    var errors = ErrorCounts()
    var errorSamples: [String] = []
    /// Nanoseconds after the start at which the last measured call completed.
    var lastMeasuredCompletion: Int64 = 0

    mutating func recordError(_ kind: ErrorCounts.Kind, _ text: @autoclosure () -> String) {
        errors.add(kind)
        if errorSamples.count < 5 { errorSamples.append(text()) }
    }

    mutating func merge(_ other: WorkerTally) {
        histogram.add(other.histogram)
        sent += other.sent
        measured += other.measured
        errors.merge(other.errors)
        errorSamples.append(contentsOf: other.errorSamples.prefix(Swift.max(0, 5 - errorSamples.count)))
        lastMeasuredCompletion = Swift.max(lastMeasuredCompletion, other.lastMeasuredCompletion)
    }
}

/// Failed calls by cause. Every one counts, warm-up included: a benchmark with errors is not a
/// result.
public struct ErrorCounts: Sendable, Codable, Equatable {
    public enum Kind: Sendable { case status, body, transport }
    /// An HTTP status other than 200.
    public var status = 0
    /// 200, but without the expected text (e.g. Afvist instead of Modtaget).
    public var body = 0
    /// Connection, TLS or timeout failures.
    public var transport = 0

    public init() {}

    public var total: Int { status + body + transport }

    mutating func add(_ kind: Kind) {
        switch kind {
        case .status: status += 1
        case .body: body += 1
        case .transport: transport += 1
        }
    }

    mutating func merge(_ other: ErrorCounts) {
        status += other.status
        body += other.body
        transport += other.transport
    }
}

extension WorkerTally {
    /// Counts one call that left at `from` and answered at `to` (nanoseconds since the start).
    mutating func record(_ outcome: CallSender.Outcome, from: Int64, to: Int64, measured inWindow: Bool) {
        sent += 1
        if case .failure(let kind, let text) = outcome { recordError(kind, text) }
        guard inWindow else { return }
        measured += 1
        lastMeasuredCompletion = Swift.max(lastMeasuredCompletion, to)
        // Failed calls still took time; their latency is recorded too.
        _ = histogram.record(UInt64(Swift.max(1, (to - from) / 1_000)))
    }
}
