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

    /// Where each call's body comes from: a template rendered afresh for every call (fresh
    /// UUIDs), or messages prepared before the run and sent each exactly once, in order. A
    /// worker that finds no prepared message left stops; the report says so (`presignedExhausted`).
    public enum Bodies: Sendable {
        case template(MessageTemplate)
        case presigned(PresignedMessages)

        /// The next body to send, or nil when the prepared messages have run out.
        func next<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8]? {
            switch self {
            case .template(let template): return template.render(using: &generator)
            case .presigned(let messages): return messages.next()
            }
        }

        /// The body size the report shows: exact for a template, the mean for prepared messages.
        var byteCount: Int {
            switch self {
            case .template(let template): return template.renderedByteCount
            case .presigned(let messages): return messages.meanByteCount
            }
        }
    }

    public var url: String
    public var headers: [(name: String, value: String)]
    public var bodies: Bodies
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

    public init(url: String, headers: [(name: String, value: String)], bodies: Bodies, mode: Mode, concurrency: Int,
                duration: Duration, warmup: Duration, expectSubstring: String?, timeout: Duration = .seconds(30),
                drainGrace: Duration = .seconds(5)) {
        self.url = url
        self.headers = headers
        self.bodies = bodies
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
        if case .presigned(let messages) = bodies, messages.bodies.isEmpty { return "no prepared messages" }
        if concurrency < 1 { return "concurrency must be at least 1" }
        if duration <= .zero { return "duration must be positive" }
        if warmup < .zero { return "warmup must not be negative" }
        if case .open(let rate) = mode, !(rate > 0 && rate.isFinite) { return "rate must be a positive number" }
        if !(url.hasPrefix("https://") || url.hasPrefix("http://")) { return "url must be http:// or https://" }
        return nil
    }
}
