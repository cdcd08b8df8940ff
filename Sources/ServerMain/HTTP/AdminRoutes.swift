import Foundation
import Hummingbird
import HummingbirdCore
import ServicePlatform

/// The admin listener: health, status and metrics (open), the admin API of the contract behind
/// the bearer token, and the admin pages (bearer token or a login session, CSRF-checked forms).
struct AdminRoutes: Sendable {
    typealias Context = AdminRequestContext

    let commands: AdminCommands?
    let adminToken: String?
    var observability: PlatformObservability? = nil
    var sessions = AdminSessions()
    var municipalities: MunicipalityDirectory? = nil
    var services: [String] = []
    /// Self-service test certificates; nil where the platform is not exttest.
    var testCertificates: TestCertificateIssuer? = nil

    struct RegisterSystem: Decodable { let name: String; let certificatePem: String }
    struct CertificateBody: Decodable { let certificatePem: String }
    struct GroupBody: Decodable { let group: String }
    struct AgreementBody: Decodable { let systemId: String; let service: String; let municipalityCvr: String }
    struct ReceiverBody: Decodable { let endpointUrl: String; let trustRootPem: String; let municipalityCodes: [String] }
    struct Created: ResponseEncodable { let id: String }
    struct AgreementState: ResponseEncodable { let id: String; let state: String }
    struct Done: ResponseEncodable { let ok: Bool }
    struct AuditPage: ResponseEncodable { let records: [AuditRecord]; let nextCursor: String? }
    struct Usage: ResponseEncodable { let from: Date?; let to: Date?; let systemId: String?; let rows: [UsageRow] }
    struct SystemView: Encodable { let id: String; let name: String; let active: Bool; let certificates: [CertificateView]; let visibilityGroups: [String] }
    struct CertificateView: Encodable { let sha256: String; let subject: String; let notAfter: Date }
    struct Systems: ResponseEncodable { let systems: [SystemView] }
    struct Agreements: ResponseEncodable { let agreements: [AgreementRecord] }
    struct Receivers: ResponseEncodable { let receivers: [ReceiverView] }
    struct ReceiverView: Encodable { let systemId: String; let endpointUrl: String; let municipalityCodes: [String] }

    struct TestCertificateBody: Decodable { let name: String; let passphrase: String }

    func add(to router: Router<Context>) {
        if let observability {
            router.add(middleware: ListenerMetricsMiddleware(metrics: observability.metrics, listener: "admin"))
            StatusRoutes(observability: observability).add(to: router)
        } else {
            router.get("/health/live") { _, _ in "ok\n" }
            router.get("/health/ready") { _, _ in "ready\n" }
        }
        guard let commands, let adminToken else { return }
        if let observability, let municipalities {
            AdminPages(commands: commands, sessions: sessions, adminToken: adminToken, municipalities: municipalities, services: services,
                       observability: observability, testCertificates: testCertificates).add(to: router)
        }
        let api = router.group("admin/api").add(middleware: AdminTokenMiddleware(token: adminToken))
        let testCertificates = self.testCertificates
        api.post("test-certificates") { request, context -> Response in
            guard let testCertificates else { throw HTTPError(.notFound, message: "test certificates are offered on exttest only") }
            let body = try await request.decode(as: TestCertificateBody.self, context: context)
            let issued = try await Self.run { () async throws(AdminError) in try await testCertificates.issue(name: body.name, passphrase: body.passphrase) }
            return Self.pkcs12Response(issued)
        }

        api.post("systems") { request, context -> Created in
            let body = try await request.decode(as: RegisterSystem.self, context: context)
            return Created(id: try await Self.run { () async throws(AdminError) in try await commands.registerSystem(name: body.name, certificatePEM: body.certificatePem) })
        }
        api.get("systems") { _, _ -> Systems in
            let contents = try await Self.run { () async throws(AdminError) in try await commands.contents() }
            let groups = Dictionary(grouping: contents.visibilityGroups, by: \.systemID)
            let certificates = Dictionary(grouping: contents.certificates, by: \.systemID)
            return Systems(systems: contents.systems.sorted { $0.name < $1.name }.map { system in
                SystemView(id: system.id, name: system.name, active: system.active,
                           certificates: (certificates[system.id] ?? []).map { CertificateView(sha256: $0.sha256, subject: $0.subject, notAfter: $0.notAfter) },
                           visibilityGroups: (groups[system.id] ?? []).map(\.group).sorted())
            })
        }
        api.post("systems/:id/certificates") { request, context -> Created in
            let body = try await request.decode(as: CertificateBody.self, context: context)
            let id = try context.parameters.require("id")
            return Created(id: try await Self.run { () async throws(AdminError) in try await commands.addCertificate(systemID: id, certificatePEM: body.certificatePem) })
        }
        api.post("systems/:id/visibility-groups") { request, context -> Done in
            let body = try await request.decode(as: GroupBody.self, context: context)
            let id = try context.parameters.require("id")
            try await Self.run { () async throws(AdminError) in try await commands.addVisibilityGroup(systemID: id, group: body.group) }
            return Done(ok: true)
        }
        api.delete("systems/:id/certificates/:sha256") { _, context -> Done in
            let (id, sha256) = (try context.parameters.require("id"), try context.parameters.require("sha256"))
            try await Self.run { () async throws(AdminError) in try await commands.removeCertificate(systemID: id, sha256: sha256) }
            return Done(ok: true)
        }
        api.delete("systems/:id/visibility-groups/:group") { _, context -> Done in
            let (id, group) = (try context.parameters.require("id"), try context.parameters.require("group"))
            try await Self.run { () async throws(AdminError) in try await commands.removeVisibilityGroup(systemID: id, group: group) }
            return Done(ok: true)
        }
        for (path, active) in [("systems/:id/activate", true), ("systems/:id/deactivate", false)] {
            api.post(RouterPath(path)) { _, context -> Done in
                let id = try context.parameters.require("id")
                try await Self.run { () async throws(AdminError) in try await commands.setActive(systemID: id, active: active) }
                return Done(ok: true)
            }
        }
        api.post("agreements") { request, context -> AgreementState in
            let body = try await request.decode(as: AgreementBody.self, context: context)
            let agreement = try await Self.run { () async throws(AdminError) in
                try await commands.requestAgreement(systemID: body.systemId, service: body.service, municipalityCVR: body.municipalityCvr)
            }
            return AgreementState(id: agreement.id, state: agreement.state.rawValue)
        }
        api.get("agreements") { _, _ -> Agreements in
            Agreements(agreements: try await Self.run { () async throws(AdminError) in try await commands.contents() }.agreements)
        }
        for (path, state) in [("agreements/:id/approve", AgreementRecord.State.approved), ("agreements/:id/revoke", .revoked)] {
            api.post(RouterPath(path)) { _, context -> AgreementState in
                let id = try context.parameters.require("id")
                let agreement = try await Self.run { () async throws(AdminError) in try await commands.setAgreementState(id: id, state: state) }
                return AgreementState(id: agreement.id, state: agreement.state.rawValue)
            }
        }
        api.put("receivers/:systemId") { request, context -> Done in
            let body = try await request.decode(as: ReceiverBody.self, context: context)
            let id = try context.parameters.require("systemId")
            try await Self.run { () async throws(AdminError) in
                try await commands.putReceiver(systemID: id, endpointURL: body.endpointUrl, trustRootPEM: body.trustRootPem,
                                               municipalityCodes: body.municipalityCodes)
            }
            return Done(ok: true)
        }
        api.get("receivers") { _, _ -> Receivers in
            let contents = try await Self.run { () async throws(AdminError) in try await commands.contents() }
            return Receivers(receivers: contents.receivers.map { ReceiverView(systemId: $0.systemID, endpointUrl: $0.endpointURL, municipalityCodes: $0.municipalityCodes) })
        }
        api.get("audit") { request, _ -> AuditPage in
            let query = try Self.auditQuery(request.uri.queryParameters)
            let records = try await Self.run { () async throws(AdminError) in try await commands.audit(query) }
            let next = records.count == query.limit ? records.last?.sequence.map(String.init) : nil
            return AuditPage(records: records, nextCursor: next)
        }
        api.get("usage") { request, _ -> Usage in
            let parameters = request.uri.queryParameters
            let query = UsageQuery(from: try Self.time(parameters, "from", endOfDay: false), to: try Self.time(parameters, "to", endOfDay: true),
                                   systemID: Self.text(parameters, "systemId"))
            let rows = try await Self.run { () async throws(AdminError) in try await commands.usage(query) }
            return Usage(from: query.from, to: query.to, systemId: query.systemID, rows: rows)
        }
    }

    /// An ISO 8601 time, or a date alone (`2026-12-07`): the whole day in Danish time, so
    /// `from` is its first microsecond and `to` (inclusive) its last.
    static func time(_ parameters: FlatDictionary<Substring, Substring>, _ name: String, endOfDay: Bool) throws -> Date? {
        guard let text = text(parameters, name) else { return nil }
        if let bound = CalendarDate.filterBound(text, endOfDay: endOfDay) { return bound }
        throw HTTPError(.badRequest, message: "\(name) must be an ISO 8601 time or a date (YYYY-MM-DD, Danish time)")
    }

    /// A query parameter's value; an empty one counts as not given.
    static func text(_ parameters: FlatDictionary<Substring, Substring>, _ name: String) -> String? {
        parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    static func auditQuery(_ parameters: FlatDictionary<Substring, Substring>) throws -> AuditQuery {
        var query = AuditQuery()
        query.from = try time(parameters, "from", endOfDay: false)
        query.to = try time(parameters, "to", endOfDay: true)
        func text(_ name: String) -> String? { Self.text(parameters, name) }
        query.systemID = text("systemId")
        query.municipalityCode = text("municipalityCode")
        query.beskedID = text("beskedId")
        query.transactionID = text("transaktionsId")?.lowercased()
        query.outcome = text("outcome")
        query.cursor = text("cursor")
        if let limit = text("limit") {
            guard let value = Int(limit), (1...1000).contains(value) else { throw HTTPError(.badRequest, message: "limit must be 1 to 1000") }
            query.limit = value
        }
        return query
    }

    /// A PKCS#12 download: the file, the new system's id in `X-System-Id`.
    static func pkcs12Response(_ issued: TestCertificateIssuer.Issued) -> Response {
        Response(status: .ok,
                 headers: [.contentType: "application/x-pkcs12", .xSystemID: issued.systemID, .cacheControl: "no-store",
                           .contentDisposition: "attachment; filename=\"test-certificate-\(issued.systemID).p12\""],
                 body: .init(byteBuffer: ByteBuffer(bytes: issued.pkcs12)))
    }

    /// Runs an admin command, turning its refusal into a 4xx with the message.
    static func run<T>(_ body: () async throws(AdminError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw HTTPError(.init(code: error.status), message: error.message)
        }
    }
}
