import Foundation
import Logging
import PostgresNIO
import Testing
@testable import ServicePlatform

/// A fresh PostgreSQL database per test, on the server `scripts/test.sh` starts
/// (`SERVICEPLATFORM_TEST_DATABASE_URL`): no test sees another's rows.
enum TestDatabase {
    static let serverURL = ProcessInfo.processInfo.environment["SERVICEPLATFORM_TEST_DATABASE_URL"]
    static var available: Bool { serverURL != nil }

    static var logger: Logger {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .critical
        return logger
    }

    /// Creates an empty database and returns its URL.
    static func create() async throws -> String {
        let server = try #require(serverURL)
        let name = "sp_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // The name is ours, made of hex digits: safe to put in the statement's text.
        try await onServer(["CREATE DATABASE \(name)"])
        var components = try #require(URLComponents(string: server))
        components.path = "/" + name
        return try #require(components.string)
    }

    /// The database behind `url` goes away for its clients: new connections are refused and
    /// the open ones are ended, as when the server restarts or the network drops.
    static func lockOut(_ url: String) async throws {
        let name = try databaseName(url)
        try await onServer(["ALTER DATABASE \(name) ALLOW_CONNECTIONS false",
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'"])
    }

    /// The database behind `url` takes connections again.
    static func letIn(_ url: String) async throws {
        try await onServer(["ALTER DATABASE \(try databaseName(url)) ALLOW_CONNECTIONS true"])
    }

    /// The database's name, checked to be one `create` makes: safe in a statement's text.
    private static func databaseName(_ url: String) throws -> String {
        let name = try PostgresURL(url).database
        try #require(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
        return name
    }

    /// Runs statements on the test server's own database, as its superuser.
    private static func onServer(_ statements: [String]) async throws {
        let client = PostgresClient(configuration: try PostgresURL(try #require(serverURL)).configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            for statement in statements { try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            group.cancelAll()
        }
    }
}

/// Outside `scripts/test.sh` (a bare `swift test`) the PostgreSQL suites are skipped; in CI,
/// where the script always starts a server, a missing one must not pass unnoticed.
@Suite("PostgreSQL test server")
struct TestDatabaseTests {
    @Test("CI runs the PostgreSQL suites: the test script gave them a server",
          .enabled(if: ProcessInfo.processInfo.environment["CI"] != nil))
    func serverGiven() {
        #expect(TestDatabase.available, "SERVICEPLATFORM_TEST_DATABASE_URL is not set; scripts/test.sh starts a PostgreSQL server for the tests")
    }
}
