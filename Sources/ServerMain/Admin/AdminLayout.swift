import Foundation

/// The admin pages: each has a path, a title and a place in the navigation.
enum AdminPage: String, CaseIterable, Sendable {
    case overview, systems, visibilityGroups, agreements, receivers, audit, usage, testCertificates

    var path: String {
        switch self {
        case .overview: "/admin/"
        case .systems: "/admin/systems"
        case .visibilityGroups: "/admin/visibility-groups"
        case .agreements: "/admin/agreements"
        case .receivers: "/admin/receivers"
        case .audit: "/admin/audit"
        case .usage: "/admin/usage"
        case .testCertificates: "/admin/test-certificates"
        }
    }

    var title: String {
        switch self {
        case .overview: "Overview"
        case .systems: "Systems"
        case .visibilityGroups: "Visibility groups"
        case .agreements: "Agreements"
        case .receivers: "Receivers"
        case .audit: "Audit log"
        case .usage: "Usage"
        case .testCertificates: "Test certificates"
        }
    }
}

/// What every page shows around its content: who is logged in (the CSRF token for its forms),
/// a one-time notice, an error.
struct AdminChrome: Sendable {
    var csrfToken: String?
    var flash: String?
    var error: String?

    /// The hidden field every form carries.
    var csrfField: HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(csrfToken ?? "")\">"
    }
}

enum AdminLayout {
    static func page(_ page: AdminPage, chrome: AdminChrome, content: HTML) -> HTML {
        let links: [HTML] = AdminPage.allCases.map { item in
            item == page ? "<a class=\"active\" href=\"\(item.path)\">\(item.title)</a>" : "<a href=\"\(item.path)\">\(item.title)</a>"
        }
        let logout: HTML = chrome.csrfToken == nil ? ""
            : "<form class=\"inline\" method=\"post\" action=\"/admin/logout\">\(chrome.csrfField)<button type=\"submit\">Log out</button></form>"
        let flash: HTML = chrome.flash.map { "<p class=\"flash\" role=\"status\" id=\"flash\">\($0)</p>" } ?? ""
        let error: HTML = chrome.error.map { "<p class=\"error\" role=\"alert\" id=\"error\">\($0)</p>" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(page.title) – serviceplatform admin</title><link rel="stylesheet" href="/admin/assets/admin.css"></head>
            <body><header class="top"><span class="brand">serviceplatform · admin</span><nav>\(links)<a href="/status">Status</a></nav>\(logout)</header>
            <main id="page-\(page.rawValue)"><h1>\(page.title)</h1>\(flash)\(error)\(content)</main></body></html>
            """
    }

    static func login(error: String?) -> HTML {
        let message: HTML = error.map { "<p class=\"error\" role=\"alert\" id=\"error\">\($0)</p>" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Log in – serviceplatform admin</title><link rel="stylesheet" href="/admin/assets/admin.css"></head>
            <body><main class="narrow" id="page-login"><h1>serviceplatform admin</h1>\(message)
            <form class="card" method="post" action="/admin/login" id="login-form">
            <label for="token">Admin token</label><input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
            <button type="submit">Log in</button></form>
            <p><small>The token is the one <code>serve</code> or <code>demo</code> printed as <code>admin-token=…</code> (or gave with <code>--admin-token</code>).</small></p>
            </main></body></html>
            """
    }

    /// `<option>`s, the one equal to `selected` selected.
    static func options(_ items: [(value: String, label: String)], selected: String? = nil, blank: String? = nil) -> HTML {
        var out: [HTML] = blank.map { ["<option value=\"\">\($0)</option>"] } ?? []
        for item in items {
            out.append(item.value == selected ? "<option value=\"\(item.value)\" selected>\(item.label)</option>"
                                              : "<option value=\"\(item.value)\">\(item.label)</option>")
        }
        return HTML.join(out)
    }
}
