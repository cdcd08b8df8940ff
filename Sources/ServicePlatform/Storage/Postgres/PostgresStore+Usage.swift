import PostgresNIO

extension PostgresStore {
    /// Counts over the audit table in one grouped query; `details` is JSON the platform wrote.
    package func usage(_ query: UsageQuery) async throws -> [UsageRow] {
        try await bounded { [self] in
            var rows: [UsageRow] = []
            for try await (caller, accounting, operation, outcome, calls) in try await client.query(Self.usageQuery(query), logger: logger)
                .decode((String?, String?, String?, String, Int64).self) {
                rows.append(UsageRow(callerSystem: caller, accountingInfo: accounting, operation: operation, outcome: outcome, calls: Int(calls)))
            }
            return UsageRow.inOrder(rows)
        }
    }

    /// The grouped count with its values bound, never spliced into the text.
    static func usageQuery(_ query: UsageQuery) -> PostgresQuery {
        var conditions = PostgresConditions()
        conditions.add(from: query.from, to: query.to, callerSystem: query.systemID)
        return PostgresQuery(unsafeSQL: """
            SELECT caller_system, (details::jsonb) #>> '{callContext,AccountingInfo}' AS accounting_info, operation, outcome, count(*)
            FROM audit \(conditions.whereClause)
            GROUP BY 1, 2, 3, 4
            """, binds: conditions.binds)
    }
}
