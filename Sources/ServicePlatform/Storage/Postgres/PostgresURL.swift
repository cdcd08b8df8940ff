import Foundation
import NIOSSL
import PostgresNIO

/// `--database-url`: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require]`.
/// TLS is required unless the URL says `sslmode=disable` or names the loopback: the audit
/// carries hashed personal data and certificate fingerprints, so it does not cross a network
/// in clear text by default.
package struct PostgresURL: Sendable, Equatable {
    package struct Invalid: Error, CustomStringConvertible {
        package let description: String
    }

    package var host: String
    package var port: Int
    package var user: String
    package var password: String?
    package var database: String
    /// TLS with the server's certificate verified against the system's trust store, host name included.
    package var requiresTLS: Bool

    package init(host: String, port: Int, user: String, password: String?, database: String, requiresTLS: Bool) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.requiresTLS = requiresTLS
    }

    package init(_ url: String) throws(Invalid) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw Invalid(description: "the database URL must start with postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw Invalid(description: "the database URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "the database URL names no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw Invalid(description: "the database URL names no database") }
        let loopback = host == "127.0.0.1" || host == "::1" || host == "localhost"
        let requiresTLS: Bool
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
        case "disable": requiresTLS = false
        case nil: requiresTLS = !loopback
        case "require", "verify-full": requiresTLS = true
        default: throw Invalid(description: "sslmode must be disable, require or verify-full")
        }
        self.init(host: host, port: components.port ?? 5432, user: user, password: components.password, database: database,
                  requiresTLS: requiresTLS)
    }

    package var configuration: PostgresClient.Configuration {
        PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database,
                                     tls: requiresTLS ? .require(.makeClientConfiguration()) : .disable)
    }
}
