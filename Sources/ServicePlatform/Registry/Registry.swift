import Synchronization

/// The registry as the hot path sees it: the current snapshot behind a lock, swapped whole
/// after every change made through the admin API, so the next call sees the change and no
/// call reads the database.
package final class Registry: ReceiverDirectory, Sendable {
    private let store: any PlatformStore
    private let current: Mutex<Loaded>
    /// Numbers reloads in the order they began, so a slow one cannot put back an older view.
    private let reloadsBegun = Atomic<UInt64>(0)

    private struct Loaded: Sendable {
        var snapshot: RegistrySnapshot
        var reload: UInt64
        var version: Int64?
    }

    /// Loads the first snapshot from `store`.
    package init(store: any PlatformStore) async throws {
        self.store = store
        let contents = try await store.registryContents()
        current = Mutex(Loaded(snapshot: RegistrySnapshot(contents), reload: 0, version: contents.version))
    }

    package var snapshot: RegistrySnapshot { current.withLock { $0.snapshot } }

    /// The store's registry version the snapshot was read at (`RegistryContents.version`):
    /// nil for a store only this instance writes.
    package var loadedVersion: Int64? { current.withLock { $0.version } }

    /// Re-reads the store; call after every write. Reloads may run at once (two admin changes,
    /// or one and `RegistryFollower`): the snapshot kept is the one whose reload began last. It
    /// began after every change whose own reload began before it, so it read all of them; a
    /// snapshot from a reload that began earlier but finished later would lose one, e.g. a
    /// system just deactivated, until the next change.
    package func reload() async throws {
        let number = reloadsBegun.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        let contents = try await store.registryContents()
        let fresh = RegistrySnapshot(contents)
        current.withLock { loaded in
            guard number > loaded.reload else { return }
            loaded = Loaded(snapshot: fresh, reload: number, version: contents.version)
        }
    }

    package func receiver(for code: Myndighedskode) async -> Receiver? {
        snapshot.receiversByCode[code]
    }
}
