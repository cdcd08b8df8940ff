import Logging
import ServiceLifecycle

/// Keeps this instance's registry snapshot in step with changes other instances make to a
/// shared database: it polls the store's registry version and reloads when it moved. An
/// instance's own admin changes reload at once (`AdminCommands`); others' take up to `interval`.
package struct RegistryFollower: Service {
    private let registry: Registry
    private let version: @Sendable () async throws -> Int64
    private let interval: Duration
    private let logger: Logger

    package init(registry: Registry, interval: Duration = .seconds(1), logger: Logger,
                 version: @escaping @Sendable () async throws -> Int64) {
        self.registry = registry
        self.version = version
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        // Stops with the service group's graceful shutdown as well as on cancellation.
        await cancelWhenGracefulShutdown { await follow() }
    }

    private func follow() async {
        // Nothing seen yet: the first poll reloads, so a change made while this instance was
        // being built is not missed. The version is read before the reload it stands for.
        var seen: Int64?
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                let current = try await version()
                guard current != seen else { continue }
                try await registry.reload()
                seen = current
            } catch {
                logger.warning("the registry could not be refreshed from the database; retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}
