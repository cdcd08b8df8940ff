import Crypto
import Foundation
import Hummingbird

/// Guards the admin pages as the API is guarded, and more: a request needs the admin bearer
/// token or a live session cookie (a browser without either is sent to the login page); every
/// POST needs a session and the session's CSRF token in the form's `csrf` field (403 otherwise).
/// The form is parsed here, once, and handed on in the context.
struct AdminPageAuthMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext
    static let maxFormBytes = 1 << 20

    let tokenDigest: [UInt8]
    let sessions: AdminSessions

    init(token: String, sessions: AdminSessions) {
        tokenDigest = Array(SHA256.hash(data: Array(token.utf8)))
        self.sessions = sessions
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let reading = request.method == .get || request.method == .head
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), Array(SHA256.hash(data: Array(header.dropFirst(7).utf8))) == tokenDigest else {
                return AdminPageResponse.refusal(.unauthorized, title: "Not logged in", message: "The admin bearer token is wrong.", loginLink: true)
            }
            context.principal = .bearer
        } else if let id = request.cookies[AdminSessions.cookieName]?.value, let session = sessions.session(for: id) {
            context.principal = .session(id: id, session)
        } else if reading {
            return AdminPageResponse.redirect(to: "/admin/login")
        } else {
            return AdminPageResponse.refusal(.unauthorized, title: "Not logged in", message: "Log in to use the admin pages.", loginLink: true)
        }
        guard !reading else { return try await next(request, context) }

        guard let (_, session) = context.session else {
            return AdminPageResponse.refusal(.forbidden, title: "Form refused",
                                             message: "Forms need a logged-in session and its CSRF token; with the bearer token, use the admin API.")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxFormBytes)
        } catch {
            return AdminPageResponse.refusal(.contentTooLarge, title: "Form too large", message: "The form is larger than 1 MiB.")
        }
        let form = FormData.parse(String(buffer: body))
        guard let token = form["csrf"], AdminSessions.equal(token, session.csrfToken) else {
            return AdminPageResponse.refusal(.forbidden, title: "Form refused",
                                             message: "The form's CSRF token is missing or wrong. Reload the page and send the form again.")
        }
        context.form = form
        return try await next(request, context)
    }
}
