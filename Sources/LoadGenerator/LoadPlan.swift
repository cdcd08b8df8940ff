/// What one benchmark run does: where it sends, what, how hard and for how long.
public struct LoadPlan: Sendable {
    /// Closed loop: `concurrency` callers, each sending its next call when the previous one
    /// answered. Open loop: calls start on a fixed schedule whatever the answers do, so a slow
    /// answer cannot hold back the calls that should have been sent meanwhile (no coordinated
    /// omission); `concurrency` then only caps the calls in flight.
    public enum Mode: Sendable, Equatable {
        case closed
        case open(ratePerSecond: Double)
    }

    public var url: String
    public var headers: [(name: String, value: String)]
    public var template: MessageTemplate
    public var mode: Mode
    public var concurrency: Int
    public var duration: Duration
    public var warmup: Duration
    /// A call counts as successful only with HTTP 200 and this text in the answer.
    public var expectSubstring: String?
    /// Per-call deadline; a call past it is a transport error.
    public var timeout: Duration
    /// How long after the end an open loop that fell behind may still send planned calls
    /// before it gives up on them (reported as `notSent`).
    public var drainGrace: Duration

    public init(url: String, headers: [(name: String, value: String)], template: MessageTemplate, mode: Mode, concurrency: Int,
                duration: Duration, warmup: Duration, expectSubstring: String?, timeout: Duration = .seconds(30),
                drainGrace: Duration = .seconds(5)) {
        self.url = url
        self.headers = headers
        self.template = template
        self.mode = mode
        self.concurrency = concurrency
        self.duration = duration
        self.warmup = warmup
        self.expectSubstring = expectSubstring
        self.timeout = timeout
        self.drainGrace = drainGrace
    }

    /// The problem with the plan, if any, in words for the command line.
    public var problem: String? {
        if concurrency < 1 { return "concurrency must be at least 1" }
        if duration <= .zero { return "duration must be positive" }
        if warmup < .zero { return "warmup must not be negative" }
        if case .open(let rate) = mode, !(rate > 0 && rate.isFinite) { return "rate must be a positive number" }
        if !(url.hasPrefix("https://") || url.hasPrefix("http://")) { return "url must be http:// or https://" }
        return nil
    }
}
