import Foundation
import ServicePlatform
import Synchronization
import Testing

/// Admin changes reload the hot path's registry snapshot. Two reloads may overlap; the one that
/// finishes last must not put back an older view of the registry.
@Suite("Registry reloads")
struct RegistryReloadTests {
    @Test("lost update: a slow reload from an earlier admin change does not undo a system's deactivation made meanwhile")
    func slowReloadDoesNotUndoALaterChange() async throws {
        let (inner, _) = try await StoredReceiptStoreTests.freshStore()  // has system "ky-demo", active
        try await inner.createSystem(SystemRecord(id: "jc-demo", name: "JC demo"), certificate: nil)
        let store = GatedRegistryStore(inner)
        let registry = try await Registry(store: store)
        let commands = AdminCommands(store: store, registry: registry, municipalities: try MunicipalityDirectory.shipped(),
                                     services: ["JC/Kontanthjaelp/2"])
        #expect(registry.snapshot.systemsByID["ky-demo"]?.active == true)

        // First change: its reload reads the registry (ky-demo still active), then stalls.
        store.holdNextRead()
        let first = Task { try await commands.addVisibilityGroup(systemID: "jc-demo", group: "jobcenter") }
        await store.waitUntilHeld()
        // Second change, made and reloaded while the first reload is stalled.
        try await commands.setActive(systemID: "ky-demo", active: false)
        #expect(registry.snapshot.systemsByID["ky-demo"]?.active == false)
        // The stalled reload finishes last, with what it read before the deactivation.
        store.release()
        try await first.value

        #expect(registry.snapshot.systemsByID["ky-demo"]?.active == false, "the deactivated system is active again")
        #expect(registry.snapshot.groupsBySystem["jc-demo"] == ["jobcenter"])
    }

    @Test("a store only this instance writes has no registry version; the snapshot is read again after each change")
    func embeddedStoreHasNoVersion() async throws {
        let (store, _) = try await StoredReceiptStoreTests.freshStore()
        let registry = try await Registry(store: store)
        #expect(registry.loadedVersion == nil)
        try await store.setSystemActive("ky-demo", active: false)
        #expect(registry.snapshot.systemsByID["ky-demo"]?.active == true)
        try await registry.reload()
        #expect(registry.snapshot.systemsByID["ky-demo"]?.active == false)
    }
}

/// A SQLite store whose next registry read can be held after it has read, until released.
private final class GatedRegistryStore: SQLiteStoreWrapper {
    let inner: SQLiteStore
    private let state = Mutex<(armed: Bool, held: CheckedContinuation<Void, Never>?, waiter: CheckedContinuation<Void, Never>?)>((false, nil, nil))

    init(_ inner: SQLiteStore) { self.inner = inner }

    func holdNextRead() { state.withLock { $0.armed = true } }

    /// Returns once the held read has read the registry and is waiting.
    func waitUntilHeld() async {
        await withCheckedContinuation { waiter in
            let heldAlready = state.withLock { s in
                if s.held != nil { return true }
                s.waiter = waiter
                return false
            }
            if heldAlready { waiter.resume() }
        }
    }

    func release() { state.withLock { s in let held = s.held; s.held = nil; return held }?.resume() }

    func registryContents() async throws -> RegistryContents {
        let contents = try await inner.registryContents()
        let hold = state.withLock { s in let armed = s.armed; s.armed = false; return armed }
        if hold {
            await withCheckedContinuation { held in
                let waiter = state.withLock { s in s.held = held; let w = s.waiter; s.waiter = nil; return w }
                waiter?.resume()
            }
        }
        return contents
    }
}
