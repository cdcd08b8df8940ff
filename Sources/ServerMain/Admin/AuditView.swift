import Foundation
import Hummingbird
import HummingbirdCore
import ServicePlatform

/// The audit log page: filters (from, to, system, municipality code, BeskedID, outcome),
/// newest first, a page at a time.
struct AuditView {
    static let pageSize = 50
    static let outcomes = ["Modtaget", "Afvist", "SP-1001", "SP-1002", "SP-1003", "SP-2001", "SP-2002", "SP-2003",
                           "SP-3001", "SP-3002", "SP-3003", "SP-4001", "SP-5000"]

    struct Filters: Sendable {
        var from = "", to = "", systemId = "", municipalityCode = "", beskedId = "", transaktionsId = "", outcome = "", cursor = ""

        init() {}

        init(_ parameters: FlatDictionary<Substring, Substring>) {
            func value(_ name: String) -> String { parameters.field(name) }
            from = value("from"); to = value("to"); systemId = value("systemId"); municipalityCode = value("municipalityCode")
            beskedId = value("beskedId"); transaktionsId = value("transaktionsId"); outcome = value("outcome"); cursor = value("cursor")
        }

        /// The store's query; a time that cannot be read is a 400 with a message.
        func query() throws(AdminError) -> AuditQuery {
            var query = AuditQuery()
            query.from = try Self.time(from, "from")
            query.to = try Self.time(to, "to", endOfDay: true)
            query.systemID = systemId.isEmpty ? nil : systemId
            query.municipalityCode = municipalityCode.isEmpty ? nil : municipalityCode
            query.beskedID = beskedId.isEmpty ? nil : beskedId.lowercased()
            query.transactionID = transaktionsId.isEmpty ? nil : transaktionsId.lowercased()
            query.outcome = outcome.isEmpty ? nil : outcome
            if !cursor.isEmpty {
                guard Int64(cursor) != nil else { throw AdminError(.badRequest, "cursor must be a number") }
                query.cursor = cursor
            }
            query.limit = AuditView.pageSize
            return query
        }

        /// ISO 8601 with a zone, or a browser's `datetime-local` value (Danish time); a date alone
        /// is that day in Danish time, to its last microsecond for `to` (as the API reads it).
        static func time(_ text: String, _ name: String, endOfDay: Bool = false) throws(AdminError) -> Date? {
            guard !text.isEmpty else { return nil }
            if let bound = CalendarDate.filterBound(text, endOfDay: endOfDay) { return bound }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt
            for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
                formatter.dateFormat = format
                if let date = formatter.date(from: text) { return date }
            }
            throw AdminError(.badRequest, "\(name) must be a time like 2025-01-31T13:45 (Danish time) or ISO 8601 with a zone")
        }

        /// The filters as a query string, with another cursor.
        func queryString(cursor next: String?) -> String {
            var pairs: [(String, String)] = [("from", from), ("to", to), ("systemId", systemId), ("municipalityCode", municipalityCode),
                                              ("beskedId", beskedId), ("transaktionsId", transaktionsId), ("outcome", outcome)].filter { !$0.1.isEmpty }
            if let next { pairs.append(("cursor", next)) }
            return pairs.map { "\($0.0)=\(HTML.queryValue($0.1))" }.joined(separator: "&")
        }
    }

    let filters: Filters
    let records: [AuditRecord]
    let systems: [SystemRecord]
    let chrome: AdminChrome

    func render() -> HTML {
        let names = Dictionary(systems.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let rows: [HTML] = records.map { r in
            let outcomeClass = r.outcome == "Modtaget" ? "full" : r.outcome == "Afvist" ? "partial" : "unavailable"
            return """
                <tr data-transaction-id="\(r.transactionID)"><td>\(AdminFormat.time(r.time))</td>\
                <td>\(r.callerSystem.map { names[$0] ?? $0 } ?? "–")<br><small class="mono">\(r.callerSystem ?? "")</small></td>\
                <td>\(r.securityModel ?? "–")</td><td>\(r.municipalityCode ?? "–")<br><small>\(r.municipalityCVR.map { "CVR \($0)" } ?? "")</small></td>\
                <td>\(r.operation ?? "–")</td><td class="mono">\(r.beskedID ?? "–")</td><td>\(r.receiverSystem ?? "–")</td>\
                <td><span class="badge \(outcomeClass)">\(r.outcome)</span></td><td>\(String(format: "%.1f", Double(r.latencyMicros) / 1000)) ms</td>\
                <td class="mono">\(r.transactionID)</td></tr>
                """
        }
        let systemOptions = systems.sorted { $0.name < $1.name }.map { ($0.id, "\($0.name) (\($0.id))") }
        let next: HTML = records.count == Self.pageSize
            ? "<a id=\"next-page\" href=\"/admin/audit?\(filters.queryString(cursor: records.last?.sequence.map(String.init)))\">Older records →</a>" : ""
        let first: HTML = filters.cursor.isEmpty ? "" : "<a href=\"/admin/audit?\(filters.queryString(cursor: nil))\">← Newest</a> "
        return AdminLayout.page(.audit, chrome: chrome, content: """
            <form class="card" method="get" action="/admin/audit" id="audit-filters"><div class="filters">
            <div><label for="from">From</label><input type="datetime-local" id="from" name="from" value="\(filters.from)"></div>
            <div><label for="to">To</label><input type="datetime-local" id="to" name="to" value="\(filters.to)"></div>
            <div><label for="systemId">Calling system</label><select id="systemId" name="systemId">\(AdminLayout.options(systemOptions, selected: filters.systemId, blank: "any"))</select></div>
            <div><label for="municipalityCode">Municipality code</label><input type="text" id="municipalityCode" name="municipalityCode" value="\(filters.municipalityCode)" maxlength="3"></div>
            <div><label for="beskedId">BeskedID</label><input type="text" id="beskedId" name="beskedId" value="\(filters.beskedId)"></div>
            <div><label for="transaktionsId">TransaktionsID</label><input type="text" id="transaktionsId" name="transaktionsId" value="\(filters.transaktionsId)"></div>
            <div><label for="outcome">Outcome</label><select id="outcome" name="outcome">\(AdminLayout.options(Self.outcomes.map { ($0, $0) }, selected: filters.outcome, blank: "any"))</select></div>
            <div><button type="submit">Filter</button> <a href="/admin/audit">Clear</a></div></div></form>
            <table id="audit"><thead><tr><th>Time</th><th>Caller</th><th>Model</th><th>Municipality</th><th>Operation</th><th>BeskedID</th>\
            <th>Receiver</th><th>Outcome</th><th>Latency</th><th>TransaktionsID</th></tr></thead>
            <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"10\">No records match.</td></tr>"] : rows)</tbody></table>
            <p class="pager">\(first)\(next)</p>
            <p><small>CPR numbers are kept only as a keyed hash and are never shown.</small></p>
            """)
    }
}

/// The overview and the test certificate form.
enum OverviewViews {
    static func overview(contents: RegistryContents, status: StatusReport?, chrome: AdminChrome, now: Date = Date()) -> HTML {
        let expiring = contents.certificates.filter { $0.notAfter.timeIntervalSince(now) < 30 * 86_400 }.count
        let requested = contents.agreements.filter { $0.state == .requested }.count
        let state: HTML = status.map { "<span class=\"badge \($0.state.code)\">\($0.state.danish)</span>" } ?? "–"
        return AdminLayout.page(.overview, chrome: chrome, content: """
            <div class="stats">
            <a href="/status"><strong>\(state)</strong>JC/Kontanthjaelp/2</a>
            <a href="/admin/systems"><strong>\(contents.systems.count)</strong>systems · \(expiring) certificates expire within 30 days</a>
            <a href="/admin/agreements"><strong>\(requested)</strong>agreements awaiting approval (\(contents.agreements.count) in all)</a>
            <a href="/admin/receivers"><strong>\(contents.receivers.count)</strong>receivers, \(contents.receivers.reduce(0) { $0 + $1.municipalityCodes.count }) municipalities</a>
            <a href="/admin/audit"><strong>Audit</strong>every call, accepted or refused</a>
            <a href="/metrics"><strong>Metrics</strong>Prometheus</a>
            </div>
            """)
    }

    static func testCertificates(chrome: AdminChrome) -> HTML {
        AdminLayout.page(.testCertificates, chrome: chrome, content: """
            <p>Exttest only: a new client certificate from the exttest CA, as a PKCS#12 file protected by your passphrase, registered to a
            new system at once (add it to MONOPOLBRUD and request agreements before calling).</p>
            <form class="card" method="post" action="/admin/test-certificates" id="test-certificate">\(chrome.csrfField)
            <label for="tc-name">System name</label><input type="text" id="tc-name" name="name" maxlength="200" required>
            <label for="tc-passphrase">Passphrase (at least 8 characters)</label>
            <input type="password" id="tc-passphrase" name="passphrase" minlength="8" autocomplete="new-password" required>
            <button type="submit">Issue and download</button></form>
            """)
    }
}
