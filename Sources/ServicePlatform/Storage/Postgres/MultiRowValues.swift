import PostgresNIO

/// `VALUES ($1, …, $n), ($n+1, …), …` with every value bound, never spliced into the text: one
/// statement (one round trip) for many rows. A statement takes at most 65 535 values, so callers
/// send rows in chunks of `MultiRowValues.rowsPerStatement`.
struct MultiRowValues {
    static let rowsPerStatement = 1_000

    private let columns: Int
    private var binds = PostgresBindings()
    private var rows: [String] = []

    init(columns: Int) { self.columns = columns }

    /// Appends a row; `fill` must bind exactly `columns` values.
    mutating func add(_ fill: (inout PostgresBindings) -> Void) {
        let first = binds.count + 1
        fill(&binds)
        assert(binds.count == first - 1 + columns, "a row binds one value per column")
        rows.append("(" + (first..<first + columns).map { "$\($0)" }.joined(separator: ", ") + ")")
    }

    /// Binds a value for the statement around the rows (numbered after the rows added so far);
    /// returns its placeholder.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    func query(_ head: String, then tail: String = "") -> PostgresQuery {
        PostgresQuery(unsafeSQL: head + " VALUES " + rows.joined(separator: ", ") + (tail.isEmpty ? "" : " " + tail), binds: binds)
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements (none for an empty array).
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
