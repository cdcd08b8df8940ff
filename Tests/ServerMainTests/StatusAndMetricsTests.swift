import Foundation
import PlatformTestSupport
import ServicePlatform
import Synchronization
import Testing
@testable import ServerMain

@Suite("Status page, /status.json, /metrics and readiness")
struct StatusAndMetricsTests {
    static func status(_ p: RunningPlatform) async throws -> [String: Any] {
        let (code, body) = try await p.admin(.get, "/status.json", token: nil)
        #expect(code == 200)
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    static func receiverState(_ status: [String: Any]) -> String? {
        ((status["receivers"] as? [[String: Any]])?.first { $0["systemId"] as? String == "demo-jobcenter" })?["state"] as? String
    }

    /// Polls /status.json until `until` holds (probes every second here), at most 15 s.
    static func waitForStatus(_ p: RunningPlatform, until: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(15)
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await status(p)
            if until(last) { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("status never reached the expected state; last: \(last["state"] ?? "-") / \(receiverState(last) ?? "-")")
        return last
    }

    @Test("after calls: Fuldt tilgaengelig, the receiver up, the median response time and uptime computed from the data")
    func afterCalls() async throws {
        try await withRunningPlatform { p async throws in
            await p.platform.observability.prober.setInterval(.seconds(1))
            for _ in 0..<3 { #expect(try await p.post(retCall().0).1.receiptStatus == "Modtaget") }
            _ = try await p.post(retCall(code: "147").0)   // SP-2003: not a receipt, not in the median
            let status = try await Self.waitForStatus(p) { Self.receiverState($0) == "Tilgaengelig" }
            #expect(status["state"] as? String == "Fuldt tilgaengelig")
            let response = try #require(status["responseTimeLastHour"] as? [String: Any])
            #expect(response["calls"] as? Int == 3)
            #expect((response["medianMs"] as? Double ?? 0) > 0)
            let uptime = try #require(status["uptimeLast30Days"] as? [String: Any])
            #expect((uptime["rounds"] as? Int ?? 0) >= 1)
            #expect(uptime["percent"] as? Double == 100)
            let (code, html) = try await p.admin(.get, "/status", token: nil)
            #expect(code == 200)
            #expect(html.contains("Fuldt tilgængelig"))
            #expect(html.contains("Demo jobcenter"))
        }
    }

    @Test("the receiver stopped (moved to a closed port): the next probe makes it and the service Ikke tilgaengelig; back again, Fuldt")
    func receiverDown() async throws {
        try await withRunningPlatform { p async throws in
            await p.platform.observability.prober.setInterval(.seconds(1))
            _ = try await Self.waitForStatus(p) { Self.receiverState($0) == "Tilgaengelig" }
            let original = "https://127.0.0.1:\(p.ports["jobcenter"]!)\(DemoJobcenter.path)"
            try await RoutingTests.moveReceiver(p, to: "https://127.0.0.1:\(try SilentPort.closedPort())/x")
            let down = try await Self.waitForStatus(p) { Self.receiverState($0) == "Ikke tilgaengelig" }
            #expect(down["state"] as? String == "Ikke tilgaengelig")
            #expect((down["reasons"] as? [String])?.first == "the receiver is down")
            let receiver = (down["receivers"] as? [[String: Any]])?.first
            #expect(receiver?["detail"] as? String == "the connection was refused or the host is unreachable")
            let uptime = try #require(down["uptimeLast30Days"] as? [String: Any])
            #expect((uptime["availableRounds"] as? Int ?? 0) < (uptime["rounds"] as? Int ?? 0))
            let metrics = try await p.admin(.get, "/metrics", token: nil).1
            #expect(metrics.contains("serviceplatform_receiver_up{receiver=\"demo-jobcenter\"} 0"))
            #expect(metrics.contains("serviceplatform_service_availability 0"))
            try await RoutingTests.moveReceiver(p, to: original)
            let back = try await Self.waitForStatus(p) { Self.receiverState($0) == "Tilgaengelig" }
            #expect(back["state"] as? String == "Fuldt tilgaengelig")
        }
    }

    @Test("/metrics counts calls by operation and outcome with latency histograms, and no CPR or BeskedID")
    func metrics() async throws {
        try await withRunningPlatform { p async throws in
            var beskedIDs: [String] = []
            for _ in 0..<2 {
                let (envelope, besked) = retCall()
                beskedIDs.append(besked)
                #expect(try await p.post(envelope).1.receiptStatus == "Modtaget")
            }
            let (refused, refusedBesked) = retCall(code: "147")
            beskedIDs.append(refusedBesked)
            _ = try await p.post(refused)
            let (code, text) = try await p.admin(.get, "/metrics", token: nil)
            #expect(code == 200)
            #expect(text.contains("serviceplatform_calls_total{operation=\"RetBevilling\",outcome=\"Modtaget\"} 2"))
            #expect(text.contains("serviceplatform_calls_total{operation=\"RetBevilling\",outcome=\"SP-2003\"} 1"))
            #expect(text.contains("serviceplatform_call_duration_seconds_count{operation=\"RetBevilling\"} 3"))
            #expect(text.contains("serviceplatform_routed_call_duration_seconds_count{receiver=\"demo-jobcenter\"} 2"))
            #expect(text.contains("serviceplatform_http_requests_in_flight{listener=\"admin\"}"))
            #expect(text.contains("serviceplatform_http_requests_in_flight{listener=\"service\"} 0"))
            #expect(text.contains("serviceplatform_http_requests_total{listener=\"service\",status=\"200\"} 2"))
            #expect(text.contains("serviceplatform_http_requests_total{listener=\"service\",status=\"500\"} 1"))
            // What durable audit cost: each call's wait, and the commits (a call per commit here).
            #expect(text.contains("serviceplatform_audit_wait_duration_seconds_count 3"))
            #expect(text.contains("serviceplatform_audit_wait_duration_seconds_bucket{le=\"0.0001\"}"))
            #expect(text.contains("serviceplatform_audit_commit_duration_seconds_count 3"))
            #expect(text.contains("serviceplatform_audit_commit_records_sum 3.0"))
            #expect(text.contains("serviceplatform_audit_commit_records_count 3"))
            // The store's WAL checkpoint counts are there (none yet after three small commits).
            #expect(text.contains("serviceplatform_wal_restarts_total 0"))
            #expect(text.contains("serviceplatform_wal_writer_checkpoints_total 0"))
            #expect(text.contains("serviceplatform_wal_background_syncs_total 0"))
            #expect(!text.contains("0101901234"))
            for besked in beskedIDs { #expect(!text.contains(besked)) }
            // A second scrape counts nothing twice.
            let again = try await p.admin(.get, "/metrics", token: nil).1
            #expect(again.contains("serviceplatform_calls_total{operation=\"RetBevilling\",outcome=\"Modtaget\"} 2"))
        }
    }

    @Test("the WAL checkpoint counters follow the checkpointer's counts at each scrape, counting nothing twice")
    func walCheckpointCounters() {
        let counts = Mutex(WALCheckpointer.Counts(restarts: 0, writerCheckpoints: 0, backgroundSyncs: 0))
        let metrics = PlatformMetrics(walCounts: { counts.withLock { $0 } })
        #expect(metrics.render().contains("serviceplatform_wal_restarts_total 0"))
        counts.withLock { $0 = .init(restarts: 2, writerCheckpoints: 3, backgroundSyncs: 5) }
        var text = metrics.render()
        #expect(text.contains("serviceplatform_wal_restarts_total 2"))
        #expect(text.contains("serviceplatform_wal_writer_checkpoints_total 3"))
        #expect(text.contains("serviceplatform_wal_background_syncs_total 5"))
        text = metrics.render()
        #expect(text.contains("serviceplatform_wal_restarts_total 2"))
        counts.withLock { $0.restarts = 4 }
        #expect(metrics.render().contains("serviceplatform_wal_restarts_total 4"))
        // A store without a checkpointer (or another kind of store) shows none.
        #expect(!PlatformMetrics().render().contains("serviceplatform_wal_"))
    }

    @Test("/health/ready answers once the store does; /health/live always")
    func health() async throws {
        try await withRunningPlatform { p async throws in
            #expect(try await p.admin(.get, "/health/ready", token: nil) == (200, "ready\n"))
            #expect(try await p.admin(.get, "/health/live", token: nil) == (200, "ok\n"))
        }
    }

    struct RuleCase: Sendable, CustomTestStringConvertible {
        let name: String
        let receivers: [ReceiverAvailability]
        let outcomes: [String]
        let expected: ServiceAvailability
        var testDescription: String { name }
    }

    @Test("the status rules", arguments: [
        RuleCase(name: "no receiver", receivers: [], outcomes: [], expected: .unavailable),
        RuleCase(name: "the only receiver down", receivers: [.down], outcomes: ["Modtaget"], expected: .unavailable),
        RuleCase(name: "every receiver down", receivers: [.down, .down], outcomes: [], expected: .unavailable),
        RuleCase(name: "one of two down", receivers: [.up, .down], outcomes: [], expected: .partial),
        RuleCase(name: "one down, one not yet probed", receivers: [.down, .unknown], outcomes: [], expected: .partial),
        RuleCase(name: "all up", receivers: [.up, .up], outcomes: ["Modtaget", "SP-2001"], expected: .full),
        RuleCase(name: "not yet probed, no calls", receivers: [.unknown], outcomes: [], expected: .full),
        RuleCase(name: "last 5 calls SP-3002/SP-5000", receivers: [.up], outcomes: ["SP-3002", "SP-3002", "SP-5000", "SP-3002", "SP-3002"], expected: .unavailable),
        RuleCase(name: "4 of the last 5 failed", receivers: [.up], outcomes: ["SP-3002", "SP-3002", "Modtaget", "SP-3002", "SP-3002"], expected: .full),
        RuleCase(name: "only 4 calls, all failed", receivers: [.up], outcomes: ["SP-3002", "SP-3002", "SP-3002", "SP-3002"], expected: .full),
        RuleCase(name: "sender faults are not outages", receivers: [.up], outcomes: Array(repeating: "SP-2001", count: 5), expected: .full),
    ])
    func rules(_ rule: RuleCase) {
        #expect(StatusRules().serviceState(receivers: rule.receivers, recentOutcomes: rule.outcomes).state == rule.expected)
    }
}
