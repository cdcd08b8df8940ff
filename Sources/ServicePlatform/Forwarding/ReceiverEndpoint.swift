import Foundation

/// A receiver's `https://` endpoint taken apart once: where to connect, the name its
/// certificate must carry, and the request target.
struct ReceiverEndpoint: Hashable, Sendable {
    let host: String
    let port: Int
    /// Path and query, at least `/`.
    let target: String
    /// The `Host` header value.
    let authority: String

    init?(_ url: String) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "https",
              var host = components.host, !host.isEmpty, components.user == nil, components.password == nil else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? 443
        guard (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        self.target = target
        let shownHost = host.contains(":") ? "[\(host)]" : host
        authority = components.port == nil ? shownHost : "\(shownHost):\(port)"
    }

    /// TLS SNI and name checks take a DNS name; for an IP address the certificate is checked
    /// against the address itself.
    var serverHostname: String? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1 { return nil }
        return host
    }
}
