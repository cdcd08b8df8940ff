import Crypto
import Hummingbird

/// Lets a request through only with `Authorization: Bearer <admin token>`, compared in constant time.
struct AdminTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// SHA-256 of the token: comparing digests takes the same time whatever the guess.
    let tokenDigest: [UInt8]

    init(token: String) { tokenDigest = Array(SHA256.hash(data: Array(token.utf8))) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              Array(SHA256.hash(data: Array(header.dropFirst(7).utf8))) == tokenDigest else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "a valid admin bearer token is required")
        }
        return try await next(request, context)
    }
}
