import AsyncHTTPClient
import NIOCore
import Synchronization

/// Runs a `LoadPlan` with AsyncHTTPClient: HTTP/1.1 keep-alive connections, at most one per
/// worker, mutual TLS as configured. Each worker records into its own histogram; the tallies
/// are merged when every call has answered, so the counts are exact: each call that left is
/// counted once, and the run ends only when its last answer is in.
public enum LoadRunner {
    public struct PlanError: Error, CustomStringConvertible {
        public let text: String
        public var description: String { text }
    }

    public static func run(_ plan: LoadPlan, tls: ClientTLS) async throws -> LoadReport {
        if let problem = plan.problem { throw PlanError(text: problem) }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try tls.configuration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: plan.concurrency)
        configuration.timeout = .init(connect: .seconds(5), read: .nanoseconds(plan.timeout.nanoseconds))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let cpuBefore = ProcessCPU.seconds()
        let timer = RunTimer(start: ContinuousClock.now + .milliseconds(20))
        let tally = await runWorkers(plan, sender: CallSender(plan: plan, client: client), timer: timer)
        let elapsed = timer.now
        try await client.shutdown()
        return report(plan, tally: tally, elapsedNanoseconds: elapsed, cpu: ProcessCPU.seconds() - cpuBefore)
    }

    private static func runWorkers(_ plan: LoadPlan, sender: CallSender, timer: RunTimer) async -> WorkerTally {
        let tickets = TicketCounter()
        return await withTaskGroup(of: WorkerTally.self) { group in
            for _ in 0..<plan.concurrency {
                group.addTask {
                    await timer.waitUntil(0)
                    switch plan.mode {
                    case .closed: return await closedLoop(plan, sender: sender, timer: timer)
                    case .open(let rate): return await openLoop(plan, rate: rate, tickets: tickets, sender: sender, timer: timer)
                    }
                }
            }
            var total = WorkerTally()
            for await tally in group { total.merge(tally) }
            return total
        }
    }

    /// Sends the next call as soon as the previous one answered, until warm-up plus duration is
    /// up (or the prepared messages run out). Latency runs from the moment the call left.
    private static func closedLoop(_ plan: LoadPlan, sender: CallSender, timer: RunTimer) async -> WorkerTally {
        var tally = WorkerTally()
        var generator = SystemRandomNumberGenerator()
        let measureFrom = plan.warmup.nanoseconds
        let end = measureFrom + plan.duration.nanoseconds
        while true {
            let sentAt = timer.now
            if sentAt >= end { break }
            guard let body = plan.bodies.next(using: &generator) else { break }
            let outcome = await sender.send(body)
            tally.record(outcome, from: sentAt, to: timer.now, measured: sentAt >= measureFrom)
        }
        return tally
    }

    /// Takes the next call off the shared schedule, waits for its due time, sends it, and
    /// records the latency from the due time. Gives up on calls still unsent `drainGrace`
    /// after the end, or when the prepared messages run out (they are reported as not sent).
    private static func openLoop(_ plan: LoadPlan, rate: Double, tickets: TicketCounter, sender: CallSender, timer: RunTimer) async -> WorkerTally {
        var tally = WorkerTally()
        var generator = SystemRandomNumberGenerator()
        let measureFrom = plan.warmup.nanoseconds
        let schedule = OpenLoopSchedule(ratePerSecond: rate, durationNanoseconds: measureFrom + plan.duration.nanoseconds)
        let giveUpAfter = schedule.durationNanoseconds + plan.drainGrace.nanoseconds
        while true {
            let index = tickets.next()
            guard schedule.contains(index), timer.now <= giveUpAfter else { break }
            let due = schedule.offsetNanoseconds(of: index)
            await timer.waitUntil(due)
            guard let body = plan.bodies.next(using: &generator) else { break }
            let outcome = await sender.send(body)
            tally.record(outcome, from: due, to: timer.now, measured: due >= measureFrom)
        }
        return tally
    }

    private static func report(_ plan: LoadPlan, tally: WorkerTally, elapsedNanoseconds: Int64, cpu: Double) -> LoadReport {
        let window = Double(tally.lastMeasuredCompletion - plan.warmup.nanoseconds) / 1_000_000_000
        var rate: Double?
        var notSent = 0
        if case .open(let r) = plan.mode {
            rate = r
            let planned = OpenLoopSchedule(ratePerSecond: r, durationNanoseconds: (plan.warmup + plan.duration).nanoseconds).plannedCalls
            notSent = max(0, planned - tally.sent)
        }
        var presigned: (available: Int, exhausted: Bool)?
        if case .presigned(let messages) = plan.bodies { presigned = (messages.bodies.count, messages.exhausted) }
        return LoadReport(
            url: plan.url, mode: rate == nil ? "closed" : "open", concurrency: plan.concurrency, ratePerSecond: rate,
            durationSeconds: plan.duration.seconds, warmupSeconds: plan.warmup.seconds, bodyBytes: plan.bodies.byteCount,
            callsSent: tally.sent, callsMeasured: tally.measured, notSent: notSent, errors: tally.errors, errorSamples: tally.errorSamples,
            throughputPerSecond: window > 0 ? Double(tally.measured) / window : 0,
            latencyMicros: LatencySummary(tally.histogram), generatorCpuSeconds: cpu,
            elapsedSeconds: Double(elapsedNanoseconds) / 1_000_000_000,
            presignedMessages: presigned?.available, presignedExhausted: presigned?.exhausted)
    }
}

/// The open loop's shared ticket roll: each number is one scheduled call, taken by exactly
/// one worker.
final class TicketCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// Monotonic time in nanoseconds since the run's start.
struct RunTimer: Sendable {
    let start: ContinuousClock.Instant

    var now: Int64 { (ContinuousClock.now - start).nanoseconds }

    func waitUntil(_ offset: Int64) async {
        guard offset > now else { return }
        try? await Task.sleep(until: start + .nanoseconds(offset), tolerance: .zero, clock: .continuous)
    }
}
