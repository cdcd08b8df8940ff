import Foundation
import PostgresNIO

/// A `WHERE` clause built from optional filters, each value bound as `$n`, never spliced into
/// the text: the audit search and the usage count share it.
struct PostgresConditions {
    private var conditions: [String] = []
    private(set) var binds = PostgresBindings()

    /// `condition` names its value as `?`.
    mutating func add(_ condition: String, _ value: some PostgresDynamicTypeEncodable) {
        binds.append(value)
        conditions.append(condition.replacingOccurrences(of: "?", with: "$\(binds.count)"))
    }

    /// The audit's time window (both ends inclusive) and caller system, each only when given.
    mutating func add(from: Date?, to: Date?, callerSystem: String?) {
        if let from { add("time_us >= ?", from.unixMicros) }
        if let to { add("time_us <= ?", to.unixMicros) }
        if let callerSystem { add("caller_system = ?", callerSystem) }
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
}
