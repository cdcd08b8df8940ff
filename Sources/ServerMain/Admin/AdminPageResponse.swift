import Foundation
import HTTPTypes
import Hummingbird

/// Responses of the admin pages: HTML with headers that keep the pages out of frames, caches
/// and other origins' reach. The pages need no script, so the policy allows none.
enum AdminPageResponse {
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xFrameOptions: "DENY",
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "no-referrer",
        .cacheControl: "no-store",
    ]

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page.rendered)))
    }

    /// 303 See Other: after a POST, and to the login page.
    static func redirect(to location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }

    /// A bare page for refusals that happen before a page can be drawn (401, 403, 413).
    static func refusal(_ status: HTTPResponse.Status, title: String, message: String, loginLink: Bool = false) -> Response {
        let link: HTML = loginLink ? "<p><a href=\"/admin/login\">Log in</a></p>" : "<p><a href=\"/admin/\">Back to the admin pages</a></p>"
        return html("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(title)</title>
            <link rel="stylesheet" href="/admin/assets/admin.css"></head>
            <body><main class="narrow"><h1>\(title)</h1><p class="error" role="alert">\(message)</p>\(link)</main></body></html>
            """, status: status)
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xSystemID = HTTPField.Name("X-System-Id")!
}
