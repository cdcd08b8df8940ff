import Synchronization

/// The (caller, BeskedID) pairs whose call is under way on this instance. A retry that arrives
/// while the first call is still being forwarded (a client that timed out and sent again) waits
/// for it instead of reaching the receiver a second time, then finds its stored receipt.
package final class MessagesInFlight: Sendable {
    fileprivate struct Key: Hashable, Sendable {
        let caller: String
        let beskedID: String
    }

    /// Present while a call holds the key; the calls waiting for it.
    private let held = Mutex<[Key: [CheckedContinuation<Void, Never>]]>([:])

    package init() {}

    /// Returns once no other call with this key is under way here; the key is then held until
    /// `Lease.release()`, which the holder calls after its receipt (if any) is stored.
    package func acquire(caller: String, beskedID: String) async -> Lease {
        let key = Key(caller: caller, beskedID: beskedID)
        while !tryHold(key) {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let queued = held.withLock { held -> Bool in
                    guard held[key] != nil else { return false }  // released meanwhile: try again
                    held[key]!.append(waiter)
                    return true
                }
                if !queued { waiter.resume() }
            }
        }
        return Lease(owner: self, key: key)
    }

    /// How many keys are held: for tests.
    package var count: Int { held.withLock { $0.count } }

    private func tryHold(_ key: Key) -> Bool {
        held.withLock { held in
            guard held[key] == nil else { return false }
            held[key] = []
            return true
        }
    }

    fileprivate func release(_ key: Key) {
        // Every waiter tries again; one holds the key next, the others wait for it.
        let waiters = held.withLock { $0.removeValue(forKey: key) } ?? []
        for waiter in waiters { waiter.resume() }
    }

    /// One call's hold on its key. Release it exactly once.
    package struct Lease: Sendable {
        fileprivate let owner: MessagesInFlight
        fileprivate let key: Key

        package func release() { owner.release(key) }
    }
}
