import Foundation
import GRDB

/// A `WHERE` clause built from optional filters, each value an argument, never spliced into the
/// text: the audit search and the usage count share it (`PostgresConditions` on PostgreSQL).
struct SQLiteConditions {
    private var conditions: [String] = []
    private(set) var arguments: StatementArguments = []

    /// `condition` names its values as `?`, in order.
    mutating func add(_ condition: String, _ values: (any DatabaseValueConvertible)?...) {
        conditions.append(condition)
        arguments += StatementArguments(values)
    }

    /// The audit's time window (both ends inclusive) and caller system, each only when given.
    mutating func add(from: Date?, to: Date?, callerSystem: String?) {
        if let from { add("time_us >= ?", from.unixMicros) }
        if let to { add("time_us <= ?", to.unixMicros) }
        if let callerSystem { add("caller_system = ?", callerSystem) }
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
}
