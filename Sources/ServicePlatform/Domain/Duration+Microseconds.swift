extension Duration {
    /// Whole microseconds, as the audit record's latency and the claims' lifetimes are kept.
    package var wholeMicroseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}
