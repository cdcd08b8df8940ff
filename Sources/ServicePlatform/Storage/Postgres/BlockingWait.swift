import Foundation
import Synchronization

/// Runs async work to completion from a thread that may block (the audit log's own writer
/// thread): never call it from an event loop or a task, whose threads the work itself needs.
enum BlockingWait {
    static func run(_ work: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Outcome()
        Task {
            do { try await work(); outcome.finish(nil) } catch { outcome.finish(error) }
        }
        try outcome.wait()
    }

    private final class Outcome: Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let failure = Mutex<(any Error)?>(nil)

        func finish(_ error: (any Error)?) {
            failure.withLock { $0 = error }
            done.signal()
        }

        func wait() throws {
            done.wait()
            if let error = failure.withLock({ $0 }) { throw error }
        }
    }
}
