import Foundation
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

@Suite("Admin pages: login, CSRF, escaping, forms that write nothing on refusal")
struct AdminPagesTests {
    static let token = "test-admin-token"

    @Test("pages without credentials send a browser to the login page; a wrong token or a stale cookie gets no page",
          arguments: ["/admin/", "/admin/systems", "/admin/visibility-groups", "/admin/agreements", "/admin/receivers", "/admin/audit", "/admin/usage"])
    func unauthenticated(_ path: String) async throws {
        try await withRunningPlatform { p async throws in
            try await withAdminBrowser(p) { b in
                let anonymous = try await b.get(path)
                #expect(anonymous.status == 303)
                #expect(anonymous.location == "/admin/login")
                let wrong = try await b.get(path, bearer: "wrong")
                #expect(wrong.status == 401)
                #expect(wrong.body.contains("token is wrong"))
                #expect(!wrong.body.contains("<table"))
                b.cookie = "\(AdminSessions.cookieName)=\(String(repeating: "ab", count: 32))"
                #expect(try await b.get(path).status == 303)
                #expect(try await b.get(path, bearer: Self.token).status == 200)
            }
        }
    }

    @Test("the audit page reads a date alone as the Danish day, to its last microsecond for 'to', as the API does")
    func auditPageDates() throws {
        let from = try #require(try AuditView.Filters.time("2026-12-07", "from"))
        let to = try #require(try AuditView.Filters.time("2026-12-07", "to", endOfDay: true))
        #expect(from == Date(timeIntervalSince1970: 1_796_598_000))  // 2026-12-06T23:00:00Z, midnight in Copenhagen (CET)
        #expect(to.timeIntervalSince(from) > 86_399.999 && to.timeIntervalSince(from) < 86_400)
    }

    @Test("a form posted without a login is 401 and writes nothing")
    func postWithoutLogin() async throws {
        try await withRunningPlatform { p async throws in
            let before = try await p.platform.store.registryContents().systems.count
            try await withAdminBrowser(p) { b in
                let page = try await b.post("/admin/systems", [("name", "x"), ("certificatePem", try p.pki.authority().issue(commonName: "x", usage: .client).certificatePEM)],
                                            includeCSRF: false)
                #expect(page.status == 401)
            }
            #expect(try await p.platform.store.registryContents().systems.count == before)
        }
    }

    @Test("login: a wrong token is refused; the right one sets a Secure, HttpOnly, SameSite=Strict cookie holding a session id, not the token")
    func login() async throws {
        try await withRunningPlatform { p async throws in
            try await withAdminBrowser(p) { b in
                let wrong = try await b.post("/admin/login", [("token", "guess")], includeCSRF: false)
                #expect(wrong.status == 401)
                #expect(wrong.body.contains("not the admin token"))
                #expect(b.cookie == nil)
                let page = try await b.post("/admin/login", [("token", Self.token)], includeCSRF: false)
                #expect(page.status == 303)
                let setCookie = try #require(page.headers.first(name: "Set-Cookie"))
                #expect(setCookie.contains("; Secure"))
                #expect(setCookie.contains("; HttpOnly"))
                #expect(setCookie.contains("; SameSite=Strict"))
                #expect(setCookie.contains("Path=/admin"))
                #expect(!setCookie.contains(Self.token))
                let value = try #require(b.cookie?.split(separator: "=").last.map(String.init))
                #expect(value.count == 64 && value.allSatisfy(\.isHexDigit))
                let overview = try await b.get("/admin/")
                #expect(overview.status == 200)
                #expect(overview.body.contains("Log out"))
                #expect(overview.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
                // Logging out ends the session on the server, whatever the browser keeps.
                let kept = b.cookie
                #expect(try await b.post("/admin/logout", []).status == 303)
                b.cookie = kept
                #expect(try await b.get("/admin/systems").status == 303)
            }
        }
    }

    @Test("a page form posted without its CSRF token, or with another, is 403 with a message and writes nothing",
          arguments: [nil, "0000", String(repeating: "a", count: 64)] as [String?])
    func csrf(_ token: String?) async throws {
        try await withRunningPlatform { p async throws in
            let before = try await p.platform.store.registryContents()
            let pem = try p.pki.authority().issue(commonName: "CSRF victim", usage: .client).certificatePEM
            try await withAdminBrowser(p) { b in
                _ = try await b.login(token: Self.token)
                let page = token == nil
                    ? try await b.post("/admin/systems", [("name", "CSRF victim"), ("certificatePem", pem)], includeCSRF: false)
                    : try await b.post("/admin/systems", [("name", "CSRF victim"), ("certificatePem", pem)], csrfOverride: token)
                #expect(page.status == 403)
                #expect(page.body.contains("CSRF token is missing or wrong"))
                let agreement = try #require(before.agreements.first)
                #expect(try await b.post("/admin/agreements/\(agreement.id)/revoke", [], includeCSRF: false).status == 403)
                // The bearer token alone does not make a form acceptable either.
                #expect(try await b.post("/admin/systems", [("name", "CSRF victim"), ("certificatePem", pem)], includeCSRF: false,
                                         bearer: Self.token).status == 403)
            }
            let after = try await p.platform.store.registryContents()
            #expect(after.systems.count == before.systems.count)
            #expect(after.agreements.map(\.state) == before.agreements.map(\.state))
        }
    }

    @Test("a system named <script>alert(1)</script> is shown escaped on every page that names it")
    func scriptInName() async throws {
        try await withRunningPlatform { p async throws in
            let name = "<script>alert(1)</script>"
            let caller = try await p.registerCaller(name: name, agreementState: "requested")
            try await withAdminBrowser(p) { b in
                _ = try await b.login(token: Self.token)
                for path in ["/admin/systems", "/admin/visibility-groups", "/admin/agreements", "/admin/audit", "/admin/usage"] {
                    let page = try await b.get(path)
                    #expect(page.status == 200)
                    #expect(!page.body.contains("<script"), "\(path) has a raw script tag")
                    #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path) does not show the name")
                }
                #expect(try await b.get("/admin/systems").body.contains(caller.id))
            }
        }
    }

    @Test("a malformed PEM in the register form is 400 with a message, and no system is created")
    func malformedPEM() async throws {
        try await withRunningPlatform { p async throws in
            let before = try await p.platform.store.registryContents().systems.count
            try await withAdminBrowser(p) { b in
                _ = try await b.login(token: Self.token)
                let page = try await b.post("/admin/systems", [("name", "Broken"), ("certificatePem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")])
                #expect(page.status == 400)
                #expect(page.body.contains("certificatePem is not a PEM certificate"))
                #expect(page.body.contains("id=\"error\""))
            }
            #expect(try await p.platform.store.registryContents().systems.count == before)
        }
    }

    @Test("forms: register a system, add it to MONOPOLBRUD, request and approve an agreement; it can then call")
    func registerAndApprove() async throws {
        try await withRunningPlatform { p async throws in
            let certificate = try p.pki.authority().issue(commonName: "Form caller", usage: .client)
            try await withAdminBrowser(p) { b in
                _ = try await b.login(token: Self.token)
                let registered = try await b.post("/admin/systems", [("name", "Form caller"), ("certificatePem", try certificate.certificatePEM)])
                #expect(registered.status == 303)
                #expect(registered.location == "/admin/systems")
                let systems = try await b.get("/admin/systems")
                #expect(systems.body.contains("id=\"flash\""))
                let id = try #require(try await p.platform.store.registryContents().systems.first { $0.name == "Form caller" }?.id)
                #expect(try await b.post("/admin/visibility-groups", [("systemId", id), ("group", "MONOPOLBRUD")]).status == 303)
                #expect(try await b.post("/admin/agreements", [("systemId", id), ("service", "JC/Kontanthjaelp/2"), ("municipalityCvr", "64942212")]).status == 303)
                let agreement = try #require(try await p.platform.store.registryContents().agreements.first { $0.systemID == id })
                #expect(agreement.state == .requested)
                #expect(try await p.post(retCall().0, as: .certificate(certificate)).1.faultCode == "SP-2002")
                _ = try await b.get("/admin/agreements")
                #expect(try await b.post("/admin/agreements/\(agreement.id)/approve", []).status == 303)
                let page = try await b.get("/admin/agreements")
                #expect(page.body.contains("is now approved"))
                #expect(try await p.post(retCall().0, as: .certificate(certificate)).1.receiptStatus == "Modtaget")
            }
        }
    }

    @Test("forms refuse an unknown CVR, a receiver URL that is not HTTPS and a code another receiver has, writing nothing")
    func formRefusals() async throws {
        try await withRunningPlatform { p async throws in
            let other = try await p.registerCaller(name: "Other jobcenter", agreementState: nil)
            let before = try await p.platform.store.registryContents()
            try await withAdminBrowser(p) { b in
                _ = try await b.login(token: Self.token)
                let cvr = try await b.post("/admin/agreements", [("systemId", "ky-demo"), ("service", "JC/Kontanthjaelp/2"), ("municipalityCvr", "12345678")])
                #expect(cvr.status == 400)
                #expect(cvr.body.contains("not the CVR of a municipality"))
                let http = try await b.post("/admin/receivers", [("systemId", other.id), ("endpointUrl", "http://127.0.0.1:1/x"),
                                                                   ("trustRootPem", p.pki.ca.certificatePEM), ("municipalityCodes", "153")])
                #expect(http.status == 400)
                #expect(http.body.contains("https://"))
                let taken = try await b.post("/admin/receivers", [("systemId", other.id), ("endpointUrl", "https://127.0.0.1:1/x"),
                                                                    ("trustRootPem", p.pki.ca.certificatePEM), ("municipalityCodes", "153, 751")])
                #expect(taken.status == 409)
                #expect(taken.body.contains("751"))
            }
            let after = try await p.platform.store.registryContents()
            #expect(after.agreements.count == before.agreements.count)
            #expect(after.receivers == before.receivers)
        }
    }

    @Test("the audit page finds a call by BeskedID and outcome; a bad time is 400 with a message")
    func auditPage() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall()
            #expect(try await p.post(envelope).1.receiptStatus == "Modtaget")
            let (refused, refusedBesked) = retCall(code: "147")
            _ = try await p.post(refused)
            try await withAdminBrowser(p) { b in
                _ = try await b.login(token: Self.token)
                let found = try await b.get("/admin/audit?beskedId=\(besked)")
                #expect(found.status == 200)
                #expect(found.body.contains(besked))
                #expect(found.body.contains("Modtaget"))
                #expect(!found.body.contains(refusedBesked))
                let byOutcome = try await b.get("/admin/audit?outcome=SP-2003&systemId=ky-demo&municipalityCode=147")
                #expect(byOutcome.body.contains(refusedBesked))
                #expect(!byOutcome.body.contains(besked))
                #expect(!byOutcome.body.contains("0101901234"))
                let bad = try await b.get("/admin/audit?from=yesterday")
                #expect(bad.status == 400)
                #expect(bad.body.contains("from must be a time"))
            }
        }
    }

    @Test("the usage page counts calls per AccountingInfo; a caller's <script> in AccountingInfo is shown escaped; a bad time is 400")
    func usagePage() async throws {
        try await withRunningPlatform { p async throws in
            let account = "Jobcenter &lt;script&gt;alert(1)&lt;/script&gt;"   // in the XML: <script>alert(1)</script>
            for _ in 0..<2 {
                let (envelope, _) = retCall { $0.replacingOccurrences(of: "Koebenhavns Kommune, Beskaeftigelses- og Integrationsforvaltningen", with: account) }
                #expect(try await p.post(envelope).1.receiptStatus == "Modtaget")
            }
            try await withAdminBrowser(p) { b in
                _ = try await b.login(token: Self.token)
                let page = try await b.get("/admin/usage?systemId=ky-demo")
                #expect(page.status == 200)
                #expect(!page.body.contains("<script"), "the caller's text reached the page raw")
                #expect(page.body.contains("Jobcenter &lt;script&gt;alert(1)&lt;/script&gt;</td>"), "\(page.body.suffix(1500))")
                #expect(page.body.contains("<td class=\"calls\">2</td>"))
                #expect(page.body.contains("<th id=\"usage-total\">2</th>"))
                let later = try await b.get("/admin/usage?from=2099-01-01")
                #expect(later.body.contains("No calls in this window.") && later.body.contains("<th id=\"usage-total\">0</th>"))
                let bad = try await b.get("/admin/usage?to=yesterday")
                #expect(bad.status == 400)
                #expect(bad.body.contains("to must be a time"))
            }
        }
    }
}
