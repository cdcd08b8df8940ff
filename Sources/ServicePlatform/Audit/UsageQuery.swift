import Foundation

/// Which calls a usage count covers. The caller's `AccountingInfo` (CallContext) says whom a
/// call is for: the contract records it for usage accounting, never for authorization.
package struct UsageQuery: Sendable, Equatable {
    package var from: Date?
    /// Inclusive, as the audit search's.
    package var to: Date?
    /// Only calls by this (caller) system.
    package var systemID: String?

    package init(from: Date? = nil, to: Date? = nil, systemID: String? = nil) {
        self.from = from
        self.to = to
        self.systemID = systemID
    }
}

/// Calls counted by who called, for whom (`AccountingInfo`), which operation and how it ended.
/// Nil fields are calls that never got that far (no caller identified, no operation read) or
/// sent no `AccountingInfo`.
package struct UsageRow: Sendable, Equatable, Codable {
    package var callerSystem: String?
    package var accountingInfo: String?
    package var operation: String?
    package var outcome: String
    package var calls: Int

    package init(callerSystem: String?, accountingInfo: String?, operation: String?, outcome: String, calls: Int) {
        self.callerSystem = callerSystem
        self.accountingInfo = accountingInfo
        self.operation = operation
        self.outcome = outcome
        self.calls = calls
    }
}

extension UsageRow {
    /// One order for every store (a database's collation would sort the texts its own way):
    /// by caller, account, operation and outcome, a missing value first.
    package static func inOrder(_ rows: [UsageRow]) -> [UsageRow] {
        func key(_ row: UsageRow) -> [String?] { [row.callerSystem, row.accountingInfo, row.operation, row.outcome] }
        return rows.sorted { a, b in
            for (x, y) in zip(key(a), key(b)) where x != y {
                guard let x else { return true }
                guard let y else { return false }
                return x < y
            }
            return false
        }
    }
}
