import Foundation
import Hummingbird
import HummingbirdCore
import ServicePlatform

/// The usage page: calls counted per calling system, `AccountingInfo`, operation and outcome
/// over a time window, as `GET /admin/api/usage` counts them. `AccountingInfo` is the caller's
/// own text, so it is shown escaped like everything else.
struct UsageView {
    struct Filters: Sendable {
        var from = "", to = "", systemId = ""

        init() {}

        init(_ parameters: FlatDictionary<Substring, Substring>) {
            from = parameters.field("from"); to = parameters.field("to"); systemId = parameters.field("systemId")
        }

        /// The store's query; times are read as on the audit page.
        func query() throws(AdminError) -> UsageQuery {
            UsageQuery(from: try AuditView.Filters.time(from, "from"), to: try AuditView.Filters.time(to, "to", endOfDay: true),
                       systemID: systemId.isEmpty ? nil : systemId)
        }
    }

    let filters: Filters
    let rows: [UsageRow]
    let systems: [SystemRecord]
    let chrome: AdminChrome

    func render() -> HTML {
        let names = Dictionary(systems.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let lines: [HTML] = rows.map { r in
            let outcomeClass = r.outcome == "Modtaget" ? "full" : r.outcome == "Afvist" ? "partial" : "unavailable"
            return """
                <tr><td>\(r.callerSystem.map { names[$0] ?? $0 } ?? "–")<br><small class="mono">\(r.callerSystem ?? "")</small></td>\
                <td>\(r.accountingInfo ?? "–")</td><td>\(r.operation ?? "–")</td>\
                <td><span class="badge \(outcomeClass)">\(r.outcome)</span></td><td class="calls">\(r.calls)</td></tr>
                """
        }
        let total = rows.reduce(0) { $0 + $1.calls }
        let systemOptions = systems.sorted { $0.name < $1.name }.map { ($0.id, "\($0.name) (\($0.id))") }
        return AdminLayout.page(.usage, chrome: chrome, content: """
            <form class="card" method="get" action="/admin/usage" id="usage-filters"><div class="filters">
            <div><label for="from">From</label><input type="datetime-local" id="from" name="from" value="\(filters.from)"></div>
            <div><label for="to">To</label><input type="datetime-local" id="to" name="to" value="\(filters.to)"></div>
            <div><label for="systemId">Calling system</label><select id="systemId" name="systemId">\(AdminLayout.options(systemOptions, selected: filters.systemId, blank: "any"))</select></div>
            <div><button type="submit">Count</button> <a href="/admin/usage">Clear</a></div></div></form>
            <table id="usage"><thead><tr><th>Caller</th><th>AccountingInfo</th><th>Operation</th><th>Outcome</th><th>Calls</th></tr></thead>
            <tbody>\(lines.isEmpty ? ["<tr><td colspan=\"5\">No calls in this window.</td></tr>"] : lines)</tbody>
            <tfoot><tr><th colspan="4">All</th><th id="usage-total">\(total)</th></tr></tfoot></table>
            <p><small>Counted from the audit log: every call, accepted or refused, with the CallContext AccountingInfo it carried.</small></p>
            """)
    }
}
