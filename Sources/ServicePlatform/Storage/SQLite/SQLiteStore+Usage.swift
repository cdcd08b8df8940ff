import GRDB

extension SQLiteStore {
    /// Counts over the audit table in one grouped read, the time bounds through `audit_time`.
    /// `details` is read only where it is valid JSON, so one odd row cannot fail the count.
    package func usage(_ query: UsageQuery) async throws -> [UsageRow] {
        var conditions = SQLiteConditions()
        conditions.add(from: query.from, to: query.to, callerSystem: query.systemID)
        let sql = """
            SELECT caller_system, CASE WHEN json_valid(details) THEN json_extract(details, '$.callContext.AccountingInfo') END AS accounting_info,
                   operation, outcome, count(*) AS calls
            FROM audit \(conditions.whereClause)
            GROUP BY 1, 2, 3, 4
            """
        let bound = conditions.arguments
        return UsageRow.inOrder(try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { row in
                UsageRow(callerSystem: row["caller_system"], accountingInfo: row["accounting_info"], operation: row["operation"],
                         outcome: row["outcome"], calls: row["calls"])
            }
        })
    }
}
