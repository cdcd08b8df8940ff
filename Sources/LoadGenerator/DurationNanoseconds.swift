extension Duration {
    /// Whole nanoseconds; the generator's arithmetic is in integers so sums do not drift.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double { Double(nanoseconds) / 1_000_000_000 }
}
