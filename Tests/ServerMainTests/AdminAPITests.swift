import Foundation
import Hummingbird
import HummingbirdCore
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

@Suite("Admin API: bearer token, validation, nothing half-written")
struct AdminAPITests {
    @Test("without a token or with a wrong one, admin calls are 401", arguments: [nil, "wrong", ""] as [String?])
    func token(_ token: String?) async throws {
        try await withRunningPlatform { p async throws in
            #expect(try await p.admin(.get, "/admin/api/systems", token: token).0 == 401)
            #expect(try await p.admin(.post, "/admin/api/systems", json: #"{"name": "x", "certificatePem": "x"}"#, token: token).0 == 401)
        }
    }

    @Test("a malformed PEM is 400 and no system is created")
    func malformedPEM() async throws {
        try await withRunningPlatform { p async throws in
            let before = try await p.platform.store.registryContents().systems.count
            let (status, body) = try await p.admin(.post, "/admin/api/systems",
                                                   json: #"{"name": "Broken", "certificatePem": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"}"#)
            #expect(status == 400)
            #expect(body.contains("certificatePem"))
            #expect(try await p.platform.store.registryContents().systems.count == before)
        }
    }

    @Test("an agreement for an unknown CVR is 400")
    func unknownCVR() async throws {
        try await withRunningPlatform { p async throws in
            let (status, body) = try await p.admin(.post, "/admin/api/agreements",
                                                   json: #"{"systemId": "ky-demo", "service": "JC/Kontanthjaelp/2", "municipalityCvr": "12345678"}"#)
            #expect(status == 400)
            #expect(body.contains("municipality"))
        }
    }

    @Test("agreement confusion: a second live agreement for one system, service and municipality is 409 naming the first; after a revoke a new one may be requested")
    func oneLiveAgreement() async throws {
        try await withRunningPlatform { p async throws in
            let copenhagen = #"{"systemId": "ky-demo", "service": "JC/Kontanthjaelp/2", "municipalityCvr": "64942212"}"#
            let (approvedStatus, approvedText) = try await p.admin(.post, "/admin/api/agreements", json: copenhagen)
            #expect(approvedStatus == 409 && approvedText.contains("approved"), "\(approvedText)")
            let ballerup = #"{"systemId": "ky-demo", "service": "JC/Kontanthjaelp/2", "municipalityCvr": "58271713"}"#
            let (status, text) = try await p.admin(.post, "/admin/api/agreements", json: ballerup)
            #expect(status == 200, "\(text)")
            let id = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])["id"] ?? ""
            let (again, againText) = try await p.admin(.post, "/admin/api/agreements", json: ballerup)
            #expect(again == 409 && againText.contains(id) && againText.contains("requested"), "\(againText)")
            #expect(try await p.admin(.post, "/admin/api/agreements/\(id)/revoke").0 == 200)
            #expect(try await p.admin(.post, "/admin/api/agreements", json: ballerup).0 == 200)
            let live = try await p.platform.store.registryContents().agreements.filter { $0.municipalityCVR == "58271713" && $0.state != .revoked }
            #expect(live.count == 1)
        }
    }

    @Test("a receiver URL that is not HTTPS is 400")
    func receiverNotHTTPS() async throws {
        try await withRunningPlatform { p async throws in
            let body = #"{"endpointUrl": "http://127.0.0.1:1/x", "trustRootPem": \#(RunningPlatform.json(p.pki.ca.certificatePEM)), "municipalityCodes": ["101"]}"#
            #expect(try await p.admin(.put, "/admin/api/receivers/demo-jobcenter", json: body).0 == 400)
        }
    }

    @Test("two receivers claiming one municipality code: 409 and the first keeps it")
    func twoReceiversOneCode() async throws {
        try await withRunningPlatform { p async throws in
            let other = try await p.registerCaller(name: "Other jobcenter", agreementState: nil)
            let body = #"{"endpointUrl": "https://127.0.0.1:1/x", "trustRootPem": \#(RunningPlatform.json(p.pki.ca.certificatePEM)), "municipalityCodes": ["751", "153"]}"#
            let (status, text) = try await p.admin(.put, "/admin/api/receivers/\(other.id)", json: body)
            #expect(status == 409)
            #expect(text.contains("751"))
            let receivers = try await p.platform.store.registryContents().receivers
            #expect(receivers.first { $0.municipalityCodes.contains("751") }?.systemID == "demo-jobcenter")
            #expect(!receivers.contains { $0.systemID == other.id })
        }
    }

    @Test("the audit log finds the one call a caller quotes by TransaktionsID (from a receipt or a fault), any letter case")
    func auditByTransaction() async throws {
        try await withRunningPlatform { p async throws in
            let reply = try await p.post(retCall().0)
            _ = try await p.post(retCall().0)
            let transaction = try #require(reply.1.element("urn:serviceplatform:jc:kontanthjaelp:2", "TransaktionsID"))
            let (status, body) = try await p.admin(.get, "/admin/api/audit?transaktionsId=\(transaction.uppercased())")
            #expect(status == 200)
            func records(_ json: String) throws -> [[String: Any]] {
                try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["records"] as? [[String: Any]])
            }
            let found = try records(body)
            #expect(found.count == 1 && found.first?["transactionID"] as? String == transaction, "\(body.prefix(400))")
            let (_, none) = try await p.admin(.get, "/admin/api/audit?transaktionsId=\(UUID().uuidString.lowercased())")
            #expect(try records(none).isEmpty)
        }
    }

    @Test("the audit log filters by BeskedID and outcome and pages newest first")
    func auditQuery() async throws {
        try await withRunningPlatform { p async throws in
            var ids: [String] = []
            for _ in 0..<3 {
                let (envelope, besked) = retCall()
                ids.append(besked)
                _ = try await p.post(envelope)
            }
            _ = try await p.post(retCall(code: "147").0)
            let (status, body) = try await p.admin(.get, "/admin/api/audit?beskedId=\(ids[1])")
            #expect(status == 200)
            #expect(body.contains(ids[1]))
            #expect(!body.contains(ids[0]))
            let refused = try await p.admin(.get, "/admin/api/audit?outcome=SP-2003").1
            #expect(refused.contains("SP-2003"))
            #expect(!refused.contains("Modtaget"))
            let page1 = try await p.admin(.get, "/admin/api/audit?limit=2").1
            let cursor = try RunningPlatform.field("nextCursor", in: page1)
            let page2 = try await p.admin(.get, "/admin/api/audit?limit=2&cursor=\(cursor)").1
            #expect(page2.contains(ids[0]))
            #expect(!page2.contains(ids[2]))
            #expect(!body.contains("0101901234"))
        }
    }

    @Test("the audit log takes a date alone for from and to: that whole day in Danish time")
    func auditByDate() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall()
            _ = try await p.post(envelope)
            let record = try #require(try await p.audit(beskedID: besked).first)
            let day = CalendarDate.today(now: record.time)
            let dayBefore = try #require(CalendarDate(year: day.year - 1, month: day.month, day: min(day.day, 28)))
            let dayAfter = try #require(CalendarDate(year: day.year + 1, month: day.month, day: min(day.day, 28)))
            for query in ["from=\(day)", "to=\(day)", "from=\(day)&to=\(day)", "from=\(dayBefore)&to=\(dayAfter)"] {
                let (status, body) = try await p.admin(.get, "/admin/api/audit?\(query)")
                #expect(status == 200, "\(query): \(body)")
                #expect(body.contains(besked), "\(query)")
            }
            for query in ["from=\(dayAfter)", "to=\(dayBefore)"] {
                let (status, body) = try await p.admin(.get, "/admin/api/audit?\(query)")
                #expect(status == 200, "\(query): \(body)")
                #expect(!body.contains(besked), "\(query)")
            }
        }
    }

    @Test("a date alone is Europe/Copenhagen's day, summer time change included", arguments: [
        ("2026-12-07", "2026-12-06T23:00:00.000000Z", "2026-12-07T22:59:59.999999Z"),
        ("2026-07-01", "2026-06-30T22:00:00.000000Z", "2026-07-01T21:59:59.999999Z"),
        ("2026-03-29", "2026-03-28T23:00:00.000000Z", "2026-03-29T21:59:59.999999Z"),  // 23 hours
        ("2026-10-25", "2026-10-24T22:00:00.000000Z", "2026-10-25T22:59:59.999999Z"),  // 25 hours
    ])
    func auditDateBounds(_ date: String, _ from: String, _ to: String) throws {
        let query = try AdminRoutes.auditQuery(URI("/admin/api/audit?from=\(date)&to=\(date)").queryParameters)
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        #expect(query.from?.unixMicros == (try Date(from, strategy: format)).unixMicros)
        #expect(query.to?.unixMicros == (try Date(to, strategy: format)).unixMicros)
    }

    @Test("usage accounting: calls counted per caller, AccountingInfo, operation and outcome, within from/to and for one system")
    func usageByAccountingInfo() async throws {
        try await withRunningPlatform { p async throws in
            func call(_ accounting: String?, code: String = "101") -> String {
                retCall(code: code) { message in
                    guard let accounting else {
                        return message.replacingOccurrences(of: "<cc:AccountingInfo>Koebenhavns Kommune, Beskaeftigelses- og Integrationsforvaltningen</cc:AccountingInfo>", with: "")
                    }
                    return message.replacingOccurrences(of: "Koebenhavns Kommune, Beskaeftigelses- og Integrationsforvaltningen", with: accounting)
                }.0
            }
            let before = Date()
            for _ in 0..<3 { _ = try await p.post(call("Jobcenter &quot;A&quot; &amp; co")) }   // read as Jobcenter "A" & co
            _ = try await p.post(call("Jobcenter B"))
            _ = try await p.post(call(nil))
            _ = try await p.post(call("Jobcenter B", code: "999"))   // no receiver: a fault, counted under its outcome
            struct Usage: Decodable { let rows: [UsageRow] }
            func usage(_ query: String) async throws -> [UsageRow] {
                let (status, body) = try await p.admin(.get, "/admin/api/usage" + query)
                #expect(status == 200, "\(body.prefix(300))")
                let usage = try JSONDecoder().decode(Usage.self, from: Data(body.utf8))
                return usage.rows
            }
            let from = ISO8601DateFormatter().string(from: before.addingTimeInterval(-1))
            let rows = try await usage("?from=\(from)&systemId=\("ky-demo")")
            let received = rows.filter { $0.outcome == "Modtaget" }
            #expect(Set(received.map(\.accountingInfo)) == ["Jobcenter \"A\" & co", "Jobcenter B", nil], "\(rows)")
            #expect(received.first { $0.accountingInfo == "Jobcenter \"A\" & co" }?.calls == 3)
            #expect(received.first { $0.accountingInfo == "Jobcenter B" }?.calls == 1)
            #expect(received.allSatisfy { $0.callerSystem == "ky-demo" && $0.operation == "RetBevilling" })
            let faults = rows.filter { $0.outcome != "Modtaget" }
            #expect(faults.count == 1 && faults.first?.accountingInfo == "Jobcenter B" && faults.first?.calls == 1, "\(rows)")
            #expect(rows.reduce(0) { $0 + $1.calls } == 6)
            // Before the calls, and another system: nothing.
            let earlier = ISO8601DateFormatter().string(from: before.addingTimeInterval(-60))
            #expect(try await usage("?from=\(earlier)&to=\(ISO8601DateFormatter().string(from: before.addingTimeInterval(-30)))").isEmpty)
            #expect(try await usage("?systemId=\(UUID().uuidString)").isEmpty)
            #expect(try await p.admin(.get, "/admin/api/usage?from=yesterday").0 == 400)
            #expect(try await p.admin(.get, "/admin/api/usage", token: nil).0 == 401)
        }
    }

    @Test("bad input: from/to that are neither a time nor a real date are 400",
          arguments: ["2026-13-01", "2026-02-30", "2026-12-7", "2026-12-07x", "07-12-2026", "yesterday", "2026-12-07T10:00"])
    func auditBadDates(_ text: String) {
        for name in ["from", "to"] {
            #expect(throws: HTTPError.self, "\(name)=\(text)") {
                try AdminRoutes.auditQuery(URI("/admin/api/audit?\(name)=\(text)").queryParameters)
            }
        }
    }
}
