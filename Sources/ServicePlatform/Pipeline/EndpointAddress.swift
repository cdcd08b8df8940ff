import Foundation

/// Compares a `wsa:To` with the endpoint the call arrived at, with the leniencies real token
/// clients need: scheme and host case, an explicit default port (`:443`, `:80`), a trailing slash.
package enum EndpointAddress {
    package static func normalized(_ address: String) -> String? {
        guard var components = URLComponents(string: address.trimmingCharacters(in: .whitespacesAndNewlines)),
              let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased() else { return nil }
        components.scheme = scheme
        components.host = host
        if (scheme == "https" && components.port == 443) || (scheme == "http" && components.port == 80) { components.port = nil }
        while components.path.hasSuffix("/") { components.path.removeLast() }
        components.query = nil
        components.fragment = nil
        return components.string
    }

    package static func matches(_ to: String, endpoint: String) -> Bool {
        guard let a = normalized(to), let b = normalized(endpoint) else { return false }
        return a == b
    }
}
