import Synchronization

/// The registry as the hot path sees it: the current snapshot behind a lock, swapped whole
/// after every change made through the admin API, so the next call sees the change and no
/// call reads the database.
package final class Registry: ReceiverDirectory, Sendable {
    private let store: any PlatformStore
    private let current: Mutex<RegistrySnapshot>

    /// Loads the first snapshot from `store`.
    package init(store: any PlatformStore) async throws {
        self.store = store
        current = Mutex(RegistrySnapshot(try await store.registryContents()))
    }

    package var snapshot: RegistrySnapshot { current.withLock { $0 } }

    /// Re-reads the store; call after every write.
    package func reload() async throws {
        let fresh = RegistrySnapshot(try await store.registryContents())
        current.withLock { $0 = fresh }
    }

    package func receiver(for code: Myndighedskode) async -> Receiver? {
        snapshot.receiversByCode[code]
    }
}
