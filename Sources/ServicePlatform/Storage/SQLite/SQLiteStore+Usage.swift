import GRDB

extension SQLiteStore {
    /// Counts over the audit table in one grouped read, the time bounds through `audit_time`.
    /// `details` is read only where it is valid JSON, so one odd row cannot fail the count.
    package func usage(_ query: UsageQuery) async throws -> [UsageRow] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let from = query.from { conditions.append("time_us >= ?"); arguments += [from.unixMicros] }
        if let to = query.to { conditions.append("time_us <= ?"); arguments += [to.unixMicros] }
        if let v = query.systemID { conditions.append("caller_system = ?"); arguments += [v] }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT caller_system, CASE WHEN json_valid(details) THEN json_extract(details, '$.callContext.AccountingInfo') END AS accounting_info,
                   operation, outcome, count(*) AS calls
            FROM audit \(whereClause)
            GROUP BY 1, 2, 3, 4
            """
        let bound = arguments
        return UsageRow.inOrder(try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { row in
                UsageRow(callerSystem: row["caller_system"], accountingInfo: row["accounting_info"], operation: row["operation"],
                         outcome: row["outcome"], calls: row["calls"])
            }
        })
    }
}
