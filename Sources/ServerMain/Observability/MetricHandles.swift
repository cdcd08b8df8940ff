import Synchronization

/// Metric handles made once per label set. Making a swift-metrics handle looks the label set up
/// in the Prometheus registry and validates its names every time; a call counts three metrics,
/// so that showed in the profile. Keys are label values already bounded by `PlatformMetrics.label`.
final class MetricHandles<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    /// The handle for `key`, made by `make` the first time.
    func handle(_ key: Key, make: () -> Handle) -> Handle {
        handles.withLock { handles in
            if let known = handles[key] { return known }
            let made = make()
            handles[key] = made
            return made
        }
    }
}
