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
        // The snapshot carries the version it was read at, so this instance's own admin
        // changes (reloaded at once) are not reloaded a second time here.
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                guard try await version() != registry.loadedVersion else { continue }
                try await registry.reload()
            } catch {
                logger.warning("the registry could not be refreshed from the database; retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}
