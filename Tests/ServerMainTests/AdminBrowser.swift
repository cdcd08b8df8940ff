import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A minimal browser for the admin pages: keeps the session cookie, reads the CSRF token from
/// the last page, posts forms, and never follows redirects (so tests see the 303s).
final class AdminBrowser: @unchecked Sendable {
    struct Page {
        let status: Int
        let headers: HTTPHeaders
        let body: String
        var location: String? { headers.first(name: "Location") }
    }

    let base: String
    let client: HTTPClient
    var cookie: String?
    var csrf: String?

    init(base: String) {
        self.base = base
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async { try? await client.shutdown() }

    func get(_ path: String, bearer: String? = nil) async throws -> Page {
        try await send(.GET, path, body: nil, bearer: bearer)
    }

    /// Posts a form; `csrf` is added from the last page unless `includeCSRF` is false.
    func post(_ path: String, _ fields: [(String, String)], includeCSRF: Bool = true, csrfOverride: String? = nil,
              bearer: String? = nil) async throws -> Page {
        var all = fields
        if let csrfOverride { all.append(("csrf", csrfOverride)) } else if includeCSRF, let csrf { all.append(("csrf", csrf)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: body, bearer: bearer)
    }

    func login(token: String) async throws -> Page {
        let page = try await post("/admin/login", [("token", token)], includeCSRF: false)
        if page.status == 303 { _ = try await get("/admin/") }
        return page
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?, bearer: String?) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        if let setCookie = response.headers.first(name: "Set-Cookie"), let pair = setCookie.split(separator: ";").first {
            cookie = pair.hasSuffix("=") ? nil : String(pair)
        }
        if let match = text.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/) { csrf = String(match.1) }
        return Page(status: Int(response.status.code), headers: response.headers, body: text)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Runs `body` with a browser on the platform's admin listener and always shuts it down.
func withAdminBrowser(_ platform: RunningPlatform, _ body: (AdminBrowser) async throws -> Void) async throws {
    let browser = AdminBrowser(base: platform.adminURL)
    do { try await body(browser) } catch { await browser.shutdown(); throw error }
    await browser.shutdown()
}
