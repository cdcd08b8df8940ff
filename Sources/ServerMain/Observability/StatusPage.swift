import Foundation
import ServicePlatform

/// `/status` as HTML: the same report as `/status.json`, for people (the states keep their
/// Danish names). Refreshes itself every 30 seconds (a meta refresh; no script).
enum StatusPage {
    static func render(_ report: StatusReport) -> HTML {
        let badge = { (state: ServiceAvailability) -> HTML in
            "<span class=\"badge \(state.code)\">\(state.danish)</span>"
        }
        let receiverRows: [HTML] = report.receivers.map { r in
            let css = r.state == .up ? "full" : r.state == .down ? "unavailable" : "unknown"
            let municipalities = r.municipalities.map { "\($0.code) \($0.name)" }.joined(separator: ", ")
            return """
                <tr><td>\(r.name)<br><small>\(r.systemId)</small></td><td><span class="badge \(css)">\(r.state.danish)</span></td>\
                <td>\(municipalities)</td><td>\(r.lastProbe.map(AdminFormat.time) ?? "–")<br><small>\(r.detail ?? "")</small></td>\
                <td>\(r.probeMs.map { AdminFormat.milliseconds($0) } ?? "–")</td>\
                <td>\(r.responseTimeLastHour.medianMs.map { AdminFormat.milliseconds($0) } ?? "–") <small>(\(r.responseTimeLastHour.calls) calls)</small></td></tr>
                """
        }
        let uptime = report.uptimeLast30Days
        let uptimeText = uptime.percent.map { String(format: "%.2f %%", $0) } ?? "no probe rounds yet"
        let median = report.responseTimeLastHour.medianMs.map { AdminFormat.milliseconds($0) } ?? "no calls in the last hour"
        let reasons: HTML = report.reasons.isEmpty ? "" : "<p class=\"reasons\">\(report.reasons.joined(separator: "; "))</p>"
        let rules: [HTML] = report.rules.map { "<li>\($0)</li>" }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Status – \(report.service)</title><link rel="stylesheet" href="/admin/assets/admin.css"></head>
            <body><main class="status">
            <h1>Status: \(report.service)</h1>
            <section class="summary"><div>\(badge(report.state))</div>\(reasons)
            <dl><dt>Uptime, last 30 days</dt><dd id="uptime">\(uptimeText) <small>(\(uptime.availableRounds) of \(uptime.rounds) probe rounds available)</small></dd>
            <dt>Median response time, last hour</dt><dd id="median">\(median) <small>(\(report.responseTimeLastHour.calls) calls with a receipt)</small></dd>
            <dt>Last probe</dt><dd>\(report.lastProbe.map(AdminFormat.time) ?? "none yet") <small>(every \(String(format: "%g", report.probeIntervalSeconds)) s)</small></dd></dl>
            </section>
            <h2>Receivers (jobcenter systems)</h2>
            <table id="receivers"><thead><tr><th>System</th><th>State</th><th>Municipalities</th><th>Last probe</th><th>Probe round trip</th><th>Median, last hour</th></tr></thead>
            <tbody>\(receiverRows.isEmpty ? ["<tr><td colspan=\"6\">No receiver is registered.</td></tr>"] : receiverRows)</tbody></table>
            <h2>How the state is computed</h2><ul class="rules">\(rules)</ul>
            <p><small>Machine-readable: <a href="/status.json">/status.json</a> · Prometheus: <a href="/metrics">/metrics</a> · Updated \(AdminFormat.time(report.generatedAt))</small></p>
            </main></body></html>
            """
    }
}

/// How times and durations show on the pages: Europe/Copenhagen, to the second.
enum AdminFormat {
    static func time(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "Europe/Copenhagen") ?? .gmt)
        style = style.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .colon)
        return date.formatted(style)
    }

    static func date(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "Europe/Copenhagen") ?? .gmt).year().month().day().dateSeparator(.dash))
    }

    static func milliseconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f ms", value) : String(format: "%.0f ms", value)
    }
}
