import ServicePlatform
import Synchronization
import Testing

/// The in-flight set behind idempotency for calls that overlap: a repeat waits for the first
/// call with its (caller, BeskedID), and nothing else waits.
@Suite("Messages in flight")
struct MessagesInFlightTests {
    @Test("a repeat waits until the first call releases its key; another BeskedID or another caller does not wait")
    func repeatWaits() async throws {
        let inFlight = MessagesInFlight()
        let first = await inFlight.acquire(caller: "ky", beskedID: "b-1")
        // Neither of these waits for the held key.
        await inFlight.acquire(caller: "ky", beskedID: "b-2").release()
        await inFlight.acquire(caller: "other", beskedID: "b-1").release()
        let acquired = Occupancy()
        let repeated = Task {
            let lease = await inFlight.acquire(caller: "ky", beskedID: "b-1")
            acquired.enter()
            lease.release()
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(acquired.most == 0, "the repeat went ahead while the first call was under way")
        first.release()
        await repeated.value
        #expect(acquired.most == 1)
        #expect(inFlight.count == 0)
    }

    @Test("many repeats at once go one at a time and none is left waiting (no lost wake-up)")
    func manyRepeats() async {
        let inFlight = MessagesInFlight()
        let inside = Occupancy()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    let lease = await inFlight.acquire(caller: "ky", beskedID: "same")
                    inside.enter()
                    await Task.yield()
                    inside.leave()
                    lease.release()
                }
            }
        }
        #expect(inside.most == 1)
        #expect(inFlight.count == 0)
    }
}

/// How many tasks are inside a section now, and the most there ever were.
private final class Occupancy: Sendable {
    private let state = Mutex((now: 0, most: 0))
    func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var most: Int { state.withLock { $0.most } }
}
