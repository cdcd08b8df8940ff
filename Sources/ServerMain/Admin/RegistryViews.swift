import Foundation
import ServicePlatform

/// The pages over the registry: systems and their certificates, visibility groups, agreements
/// and receivers, each with its forms. Every value goes through `HTML`'s escaping.
struct RegistryViews {
    let contents: RegistryContents
    let municipalities: MunicipalityDirectory
    let services: [String]
    let chrome: AdminChrome
    var now = Date()

    var systemNames: [String: String] { Dictionary(contents.systems.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }) }
    var systemOptions: [(value: String, label: String)] {
        contents.systems.sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }.map { ($0.id, "\($0.name) (\($0.id))") }
    }

    func systemName(_ id: String) -> HTML {
        "\(systemNames[id] ?? id)<br><small class=\"mono\">\(id)</small>"
    }

    // MARK: Systems

    func systems() -> HTML {
        let certificates = Dictionary(grouping: contents.certificates, by: \.systemID)
        let groups = Dictionary(grouping: contents.visibilityGroups, by: \.systemID)
        let rows: [HTML] = contents.systems.sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }.map { system in
            let certs: [HTML] = (certificates[system.id] ?? []).sorted { $0.notAfter < $1.notAfter }.map { c in
                let days = Int(c.notAfter.timeIntervalSince(now) / 86_400)
                let expiry: HTML = c.notAfter < now ? "<span class=\"expired\">expired \(AdminFormat.date(c.notAfter))</span>"
                    : days < 30 ? "<span class=\"expiring\">expires \(AdminFormat.date(c.notAfter)) (in \(days) days)</span>"
                    : "expires \(AdminFormat.date(c.notAfter))"
                return "<div>\(c.subject)<br><small class=\"mono\">SHA-256 \(c.sha256)</small><br><small>\(expiry)</small></div>"
            }
            let state: HTML = system.active ? "<span class=\"badge active\">active</span>" : "<span class=\"badge inactive\">inactive</span>"
            let toggle: HTML = """
                <form class="inline" method="post" action="/admin/systems/\(HTML.pathSegment(system.id))/\(system.active ? "deactivate" : "activate")">\
                \(chrome.csrfField)<button type="submit" class="\(system.active ? "danger" : "secondary")">\(system.active ? "Deactivate" : "Activate")</button></form>
                """
            let memberOf = (groups[system.id] ?? []).map(\.group).sorted().joined(separator: ", ")
            return """
                <tr data-system-id="\(system.id)"><td>\(system.name)<br><small class="mono">\(system.id)</small></td>\
                <td>\(state) \(toggle)</td><td>\(memberOf.isEmpty ? "–" : memberOf)</td><td>\(certs.isEmpty ? ["–"] : certs)</td></tr>
                """
        }
        return AdminLayout.page(.systems, chrome: chrome, content: """
            <table id="systems"><thead><tr><th>System</th><th>State</th><th>Visibility groups</th><th>Certificates (subject, fingerprint, expiry)</th></tr></thead>
            <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"4\">No systems yet.</td></tr>"] : rows)</tbody></table>
            <div class="grid">
            <form class="card" method="post" action="/admin/systems" id="register-system">\(chrome.csrfField)
            <h2>Register a system</h2>
            <label for="name">Name</label><input type="text" id="name" name="name" maxlength="200" required>
            <label for="certificatePem">Certificate (PEM)</label>
            <textarea id="certificatePem" name="certificatePem" required placeholder="-----BEGIN CERTIFICATE-----"></textarea>
            <button type="submit">Register</button></form>
            <form class="card" method="post" action="/admin/certificates" id="add-certificate">\(chrome.csrfField)
            <h2>Add a certificate (rollover)</h2>
            <label for="cert-system">System</label><select id="cert-system" name="systemId" required>\(AdminLayout.options(systemOptions))</select>
            <label for="cert-pem">Certificate (PEM)</label>
            <textarea id="cert-pem" name="certificatePem" required placeholder="-----BEGIN CERTIFICATE-----"></textarea>
            <button type="submit">Add certificate</button></form>
            </div>
            """)
    }

    // MARK: Visibility groups

    func visibilityGroups() -> HTML {
        let byGroup = Dictionary(grouping: contents.visibilityGroups, by: \.group)
        let rows: [HTML] = byGroup.keys.sorted().map { group in
            let members: [HTML] = (byGroup[group] ?? []).map { "<div>\(systemName($0.systemID))</div>" }
            return "<tr><td><strong>\(group)</strong></td><td>\(members)</td></tr>"
        }
        return AdminLayout.page(.visibilityGroups, chrome: chrome, content: """
            <p>A caller needs membership of <strong>MONOPOLBRUD</strong> to call JC/Kontanthjaelp/2.</p>
            <table id="groups"><thead><tr><th>Group</th><th>Members</th></tr></thead>
            <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"2\">No memberships yet.</td></tr>"] : rows)</tbody></table>
            <form class="card" method="post" action="/admin/visibility-groups" id="add-group">\(chrome.csrfField)
            <h2>Add a system to a group</h2>
            <label for="group-system">System</label><select id="group-system" name="systemId" required>\(AdminLayout.options(systemOptions))</select>
            <label for="group">Group</label><input type="text" id="group" name="group" value="MONOPOLBRUD" maxlength="64" required>
            <button type="submit">Add</button></form>
            """)
    }

    // MARK: Agreements

    func agreements() -> HTML {
        let order: [AgreementRecord.State: Int] = [.requested: 0, .approved: 1, .revoked: 2]
        let sorted = contents.agreements.sorted {
            (order[$0.state] ?? 3, $1.updatedAt) < (order[$1.state] ?? 3, $0.updatedAt)
        }
        let rows: [HTML] = sorted.map { a in
            let municipality = MunicipalityCVR(a.municipalityCVR).flatMap(municipalities.municipality(cvr:))
            let place = municipality.map { "\($0.name) (\($0.code.rawValue))" } ?? ""
            var actions: [HTML] = []
            for (state, label, css) in [(AgreementRecord.State.approved, "Approve", ""), (.revoked, "Revoke", "danger")] where a.state != state {
                actions.append("""
                    <form class="inline" method="post" action="/admin/agreements/\(HTML.pathSegment(a.id))/\(state == .approved ? "approve" : "revoke")">\
                    \(chrome.csrfField)<button type="submit" class="\(css)">\(label)</button></form>
                    """)
            }
            return """
                <tr data-agreement-id="\(a.id)"><td>\(systemName(a.systemID))</td><td>\(a.service)</td>\
                <td>\(place)<br><small>CVR \(a.municipalityCVR)</small></td>\
                <td><span class="badge \(a.state.rawValue)">\(a.state.rawValue)</span><br><small>\(AdminFormat.time(a.updatedAt))</small></td><td>\(actions)</td></tr>
                """
        }
        let municipalityOptions = municipalities.all.map { ($0.cvr.rawValue, "\($0.code.rawValue) \($0.name) (CVR \($0.cvr.rawValue))") }
        return AdminLayout.page(.agreements, chrome: chrome, content: """
            <table id="agreements"><thead><tr><th>System</th><th>Service</th><th>Municipality</th><th>State</th><th>Actions</th></tr></thead>
            <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"5\">No agreements yet.</td></tr>"] : rows)</tbody></table>
            <form class="card" method="post" action="/admin/agreements" id="request-agreement">\(chrome.csrfField)
            <h2>Request an agreement</h2>
            <div class="grid"><div><label for="agreement-system">System</label>
            <select id="agreement-system" name="systemId" required>\(AdminLayout.options(systemOptions))</select></div>
            <div><label for="service">Service</label><select id="service" name="service">\(AdminLayout.options(services.map { ($0, $0) }))</select></div>
            <div><label for="municipalityCvr">Municipality</label>
            <select id="municipalityCvr" name="municipalityCvr" required>\(AdminLayout.options(municipalityOptions))</select></div></div>
            <button type="submit">Request</button> <small>It takes effect once approved.</small></form>
            """)
    }

    // MARK: Receivers

    func receivers(status: StatusReport?) -> HTML {
        let states = Dictionary((status?.receivers ?? []).map { ($0.systemId, $0) }, uniquingKeysWith: { a, _ in a })
        let rows: [HTML] = contents.receivers.sorted { $0.systemID < $1.systemID }.map { r in
            let places: [HTML] = r.municipalityCodes.map { code in
                "<div>\(code) \(Myndighedskode(code).flatMap(municipalities.municipality(code:))?.name ?? "")</div>"
            }
            let probe = states[r.systemID]
            let css = probe?.state == .up ? "full" : probe?.state == .down ? "unavailable" : "unknown"
            let state: HTML = probe.map { "<span class=\"badge \(css)\">\($0.state.danish)</span><br><small>\($0.detail ?? "")</small>" } ?? "–"
            return """
                <tr data-receiver-id="\(r.systemID)"><td>\(systemName(r.systemID))</td><td class="mono">\(r.endpointURL)</td>\
                <td>\(places)</td><td>\(state)</td></tr>
                """
        }
        return AdminLayout.page(.receivers, chrome: chrome, content: """
            <table id="receivers"><thead><tr><th>Receiver system</th><th>Endpoint</th><th>Municipalities</th><th>Probe</th></tr></thead>
            <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"4\">No receivers yet.</td></tr>"] : rows)</tbody></table>
            <form class="card" method="post" action="/admin/receivers" id="put-receiver">\(chrome.csrfField)
            <h2>Register or change a receiver</h2>
            <div class="grid"><div><label for="receiver-system">System</label>
            <select id="receiver-system" name="systemId" required>\(AdminLayout.options(systemOptions))</select></div>
            <div><label for="endpointUrl">Endpoint (https://)</label><input type="url" id="endpointUrl" name="endpointUrl" required></div>
            <div><label for="municipalityCodes">Municipality codes (e.g. 101, 147)</label>
            <input type="text" id="municipalityCodes" name="municipalityCodes" required></div></div>
            <label for="trustRootPem">Trust root of its server certificate (PEM)</label>
            <textarea id="trustRootPem" name="trustRootPem" required placeholder="-----BEGIN CERTIFICATE-----"></textarea>
            <button type="submit">Save receiver</button></form>
            """)
    }
}
