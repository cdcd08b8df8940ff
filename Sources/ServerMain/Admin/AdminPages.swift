import Foundation
import Hummingbird
import ServicePlatform

/// The admin pages at `/admin/`: server-rendered HTML and plain forms (no script). GETs show a
/// page; each POST changes one thing through `AdminCommands`, then redirects back with a notice
/// (or shows the page again with the refusal, 4xx, nothing written). Login at `/admin/login`.
struct AdminPages: Sendable {
    typealias Context = AdminRequestContext

    let commands: AdminCommands
    let sessions: AdminSessions
    let adminToken: String
    let municipalities: MunicipalityDirectory
    let services: [String]
    let observability: PlatformObservability
    let testCertificates: TestCertificateIssuer?

    func add(to router: Router<Context>) {
        router.get("/admin/assets/admin.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(string: AdminStylesheet.css)))
        }
        router.get("/admin/login") { _, _ in AdminPageResponse.html(AdminLayout.login(error: nil)) }
        router.post("/admin/login") { request, _ in try await self.login(request) }

        let pages = router.group("admin").add(middleware: AdminPageAuthMiddleware(token: adminToken, sessions: sessions))
        pages.post("logout") { _, context in
            if let (id, _) = context.session { sessions.end(id) }
            return AdminPageResponse.redirect(to: "/admin/login", headers: [.setCookie: Self.cookie(value: "", maxAge: 0)])
        }
        pages.get("") { _, context in try await self.show(.overview, context) }
        for page in [AdminPage.systems, .visibilityGroups, .agreements, .receivers, .testCertificates] {
            pages.get(RouterPath(String(page.path.dropFirst("/admin/".count)))) { _, context in try await self.show(page, context) }
        }
        pages.get("audit") { request, context in try await self.audit(AuditView.Filters(request.uri.queryParameters), context) }
        pages.get("usage") { request, context in try await self.usage(UsageView.Filters(request.uri.queryParameters), context) }

        pages.post("systems") { _, context in
            try await act(.systems, context) { form throws(AdminError) in
                let id = try await commands.registerSystem(name: form["name"] ?? "", certificatePEM: form["certificatePem"] ?? "")
                return "System \(form["name"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") registered with id \(id)."
            }
        }
        pages.post("certificates") { _, context in
            try await act(.systems, context) { form throws(AdminError) in
                let sha = try await commands.addCertificate(systemID: form["systemId"] ?? "", certificatePEM: form["certificatePem"] ?? "")
                return "Certificate \(sha.prefix(16))… added."
            }
        }
        for (path, active) in [("systems/:id/activate", true), ("systems/:id/deactivate", false)] {
            pages.post(RouterPath(path)) { _, context in
                let id = context.parameters.get("id") ?? ""
                return try await act(.systems, context) { _ throws(AdminError) in
                    try await commands.setActive(systemID: id, active: active)
                    return "System \(id) \(active ? "activated" : "deactivated")."
                }
            }
        }
        pages.post("visibility-groups") { _, context in
            try await act(.visibilityGroups, context) { form throws(AdminError) in
                let group = (form["group"] ?? "").trimmingCharacters(in: .whitespaces)
                try await commands.addVisibilityGroup(systemID: form["systemId"] ?? "", group: group)
                return "Added to \(group)."
            }
        }
        pages.post("agreements") { _, context in
            try await act(.agreements, context) { form throws(AdminError) in
                let agreement = try await commands.requestAgreement(systemID: form["systemId"] ?? "", service: form["service"] ?? "",
                                                                    municipalityCVR: form["municipalityCvr"] ?? "")
                return "Agreement \(agreement.id) requested; approve it to take effect."
            }
        }
        for (path, state) in [("agreements/:id/approve", AgreementRecord.State.approved), ("agreements/:id/revoke", .revoked)] {
            pages.post(RouterPath(path)) { _, context in
                let id = context.parameters.get("id") ?? ""
                return try await act(.agreements, context) { _ throws(AdminError) in
                    let agreement = try await commands.setAgreementState(id: id, state: state)
                    return "Agreement \(agreement.id) is now \(agreement.state.rawValue)."
                }
            }
        }
        pages.post("receivers") { _, context in
            try await act(.receivers, context) { form throws(AdminError) in
                let codes = (form["municipalityCodes"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" || $0.isNewline }).map(String.init)
                try await commands.putReceiver(systemID: form["systemId"] ?? "", endpointURL: (form["endpointUrl"] ?? "").trimmingCharacters(in: .whitespaces),
                                               trustRootPEM: form["trustRootPem"] ?? "", municipalityCodes: codes)
                return "Receiver \(form["systemId"] ?? "") saved."
            }
        }
        pages.post("test-certificates") { _, context in try await self.issueTestCertificate(context) }
    }

    // MARK: Pages

    func chrome(_ context: Context, error: String? = nil) -> AdminChrome {
        guard let (id, session) = context.session else { return AdminChrome(csrfToken: nil, flash: nil, error: error) }
        return AdminChrome(csrfToken: session.csrfToken, flash: sessions.takeFlash(for: id), error: error)
    }

    func show(_ page: AdminPage, _ context: Context, error: AdminError? = nil) async throws -> Response {
        let chrome = chrome(context, error: error?.message)
        let status: HTTPResponse.Status = error.map { .init(code: $0.status) } ?? .ok
        if page == .audit { return try await audit(AuditView.Filters(), context, error: error) }
        if page == .usage { return try await usage(UsageView.Filters(), context, error: error) }
        if page == .testCertificates { return AdminPageResponse.html(OverviewViews.testCertificates(chrome: chrome), status: status) }
        let contents = try await AdminRoutes.run { () async throws(AdminError) in try await commands.contents() }
        let views = RegistryViews(contents: contents, municipalities: municipalities, services: services, chrome: chrome)
        let html: HTML
        switch page {
        case .overview: html = OverviewViews.overview(contents: contents, status: try? await observability.status.report(), chrome: chrome)
        case .systems: html = views.systems()
        case .visibilityGroups: html = views.visibilityGroups()
        case .agreements: html = views.agreements()
        case .receivers: html = views.receivers(status: try? await observability.status.report())
        case .audit, .usage, .testCertificates: html = .empty
        }
        return AdminPageResponse.html(html, status: status)
    }

    func usage(_ filters: UsageView.Filters, _ context: Context, error: AdminError? = nil) async throws -> Response {
        var refusal = error
        var rows: [UsageRow] = []
        do {
            rows = try await commands.usage(try filters.query())
        } catch {
            refusal = error
        }
        let systems = (try? await commands.contents().systems) ?? []
        let view = UsageView(filters: filters, rows: rows, systems: systems, chrome: chrome(context, error: refusal?.message))
        return AdminPageResponse.html(view.render(), status: refusal.map { .init(code: $0.status) } ?? .ok)
    }

    func audit(_ filters: AuditView.Filters, _ context: Context, error: AdminError? = nil) async throws -> Response {
        var refusal = error
        var records: [AuditRecord] = []
        do {
            records = try await commands.audit(try filters.query())
        } catch {
            refusal = error
        }
        let systems = (try? await commands.contents().systems) ?? []
        let view = AuditView(filters: filters, records: records, systems: systems, chrome: chrome(context, error: refusal?.message))
        return AdminPageResponse.html(view.render(), status: refusal.map { .init(code: $0.status) } ?? .ok)
    }

    /// Runs one change; on success a notice and a redirect to the page, on refusal the page again with the message.
    func act(_ page: AdminPage, _ context: Context, _ body: ([String: String]) async throws(AdminError) -> String) async throws -> Response {
        do {
            let notice = try await body(context.form)
            if let (id, _) = context.session { sessions.setFlash(notice, for: id) }
            return AdminPageResponse.redirect(to: page.path)
        } catch {
            return try await show(page, context, error: error)
        }
    }

    // MARK: Login and test certificates

    func login(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let form = FormData.parse(String(buffer: body))
        guard let token = form["token"], AdminSessions.equal(token, adminToken) else {
            return AdminPageResponse.html(AdminLayout.login(error: "That is not the admin token."), status: .unauthorized)
        }
        let (id, _) = sessions.create()
        return AdminPageResponse.redirect(to: "/admin/", headers: [.setCookie: Self.cookie(value: id, maxAge: nil)])
    }

    /// The session cookie: Secure, HttpOnly, SameSite=Strict, only for `/admin`. Browsers keep
    /// Secure cookies from http://127.0.0.1 and http://localhost (potentially trustworthy origins).
    static func cookie(value: String, maxAge: Int?) -> String {
        "\(AdminSessions.cookieName)=\(value); Path=/admin; Secure; HttpOnly; SameSite=Strict" + (maxAge.map { "; Max-Age=\($0)" } ?? "")
    }

    func issueTestCertificate(_ context: Context) async throws -> Response {
        guard let testCertificates else {
            return try await show(.testCertificates, context, error: AdminError(.notFound, "test certificates are offered on exttest only"))
        }
        do {
            let issued = try await testCertificates.issue(name: context.form["name"] ?? "", passphrase: context.form["passphrase"] ?? "")
            return AdminRoutes.pkcs12Response(issued)
        } catch {
            return try await show(.testCertificates, context, error: error)
        }
    }
}
