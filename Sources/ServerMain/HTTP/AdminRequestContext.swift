import Hummingbird

/// The admin listener's request context: who is asking (admin pages), and the parsed form of a
/// page POST (read once by `AdminPageAuthMiddleware`, which checks its CSRF token).
struct AdminRequestContext: RequestContext {
    enum Principal: Sendable {
        /// `Authorization: Bearer <admin token>`.
        case bearer
        /// A logged-in browser: its session id (from the cookie) and session.
        case session(id: String, AdminSession)
    }

    var coreContext: CoreRequestContextStorage
    var principal: Principal?
    var form: [String: String] = [:]

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    var session: (id: String, session: AdminSession)? {
        if case .session(let id, let session) = principal { return (id, session) }
        return nil
    }
}
