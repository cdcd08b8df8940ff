import NIOCore
import NIOPosix
import Synchronization

/// PostgresNIO's pool waits for a connection as long as the server is away, retrying. A call
/// must not: each store operation gets a deadline, after which it fails (the call answers
/// SP-5000, the start stops with this error) and its pending lease is cancelled.
package struct PostgresUnavailable: Error, CustomStringConvertible {
    package let seconds: Int
    package var description: String { "the PostgreSQL database did not answer within \(seconds) s" }
}

enum PostgresDeadline {
    /// The same bound as the SQLite store's busy timeout: a call waits this long at most.
    static let operation = Duration.seconds(5)
    /// A start may meet a database that is itself starting.
    static let start = Duration.seconds(30)

    /// Returns what `body` returns, or throws `PostgresUnavailable` once `limit` has passed. The
    /// caller does not wait for a late `body` to notice its cancellation: PostgresNIO's pool
    /// may only give up a lease when a connection attempt ends. The timer is an event loop's
    /// scheduled task, not a sleeping Swift task: one per store operation, so it should cost little.
    static func run<Result: Sendable>(within limit: Duration = operation,
                                      _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let outcome = FirstOutcome<Result>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.await(continuation)
            let work = Task {
                do { outcome.settle(.success(try await body())) } catch { outcome.settle(.failure(error)) }
            }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
                if outcome.settle(.failure(PostgresUnavailable(seconds: Int(limit.components.seconds)))) { work.cancel() }
            }
            outcome.onSettled { timer.cancel() }
        }
    }
}

/// The first of the work's result and the deadline resumes the caller; the other is ignored.
private final class FirstOutcome<Result: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result, any Error>?
        var settled = false
        var onSettled: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func await(_ continuation: CheckedContinuation<Result, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Runs `action` once settled (at once if it already is).
    func onSettled(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.settled { return true }
            state.onSettled = action
            return false
        }
        if now { action() }
    }

    /// True when this was the first outcome (and resumed the caller).
    @discardableResult
    func settle(_ result: Swift.Result<Result, any Error>) -> Bool {
        let taken = state.withLock { state -> (CheckedContinuation<Result, any Error>?, (@Sendable () -> Void)?)? in
            guard !state.settled else { return nil }
            state.settled = true
            defer { state.continuation = nil; state.onSettled = nil }
            return (state.continuation, state.onSettled)
        }
        guard let (continuation, action) = taken else { return false }
        continuation?.resume(with: result)
        action?()
        return true
    }
}
