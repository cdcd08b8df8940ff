import Foundation
import Hummingbird
import Logging
import PlatformTestSupport
import Testing
@testable import ServerMain

/// How `serve` and `demo` read their flags and `SERVICEPLATFORM_*` variables (the environment is
/// handed in, so the tests neither read nor change the process's).
@Suite("Flags and environment variables")
struct PlatformOptionsTests {
    static func settings(_ arguments: [String], environment: [String: String] = [:]) throws -> PlatformSettings {
        try PlatformOptions.parse(arguments + ["--wsdl-dir", TestPaths.wsdlDirectory]).resolved(environment: environment)
    }

    @Test("a repeatable flag's variable holds several values, separated by newlines or commas",
          arguments: ["/a.pem\n/b.pem", "/a.pem,/b.pem", " /a.pem ,\n/b.pem\n", "/a.pem\r\n/b.pem", "/a.pem,,\n/b.pem,"])
    func severalValuesInTheEnvironment(_ text: String) throws {
        let settings = try Self.settings([], environment: ["SERVICEPLATFORM_CLIENT_TRUST_ROOT": text,
                                                           "SERVICEPLATFORM_SERVICE_AUDIENCE": text.replacingOccurrences(of: "/a.pem", with: "urn:a")
                                                               .replacingOccurrences(of: "/b.pem", with: "urn:b")])
        #expect(settings.clientTrustRoots == ["/a.pem", "/b.pem"])
        #expect(settings.extraAudiences == ["urn:a", "urn:b"])
    }

    @Test("flags add to the variable's values instead of replacing them")
    func flagsAddToTheEnvironment() throws {
        let settings = try Self.settings(["--client-trust-root", "/c.pem", "--service-audience", "urn:c"],
                                         environment: ["SERVICEPLATFORM_CLIENT_TRUST_ROOT": "/a.pem,/b.pem",
                                                       "SERVICEPLATFORM_SERVICE_AUDIENCE": "urn:a\nurn:b"])
        #expect(settings.clientTrustRoots == ["/a.pem", "/b.pem", "/c.pem"])
        #expect(settings.extraAudiences == ["urn:a", "urn:b", "urn:c"])
    }

    @Test("one value, flags alone, or nothing work as before")
    func singleValues() throws {
        #expect(try Self.settings([], environment: ["SERVICEPLATFORM_CLIENT_TRUST_ROOT": "/a.pem"]).clientTrustRoots == ["/a.pem"])
        #expect(try Self.settings(["--client-trust-root", "/a.pem", "--client-trust-root", "/b.pem"]).clientTrustRoots == ["/a.pem", "/b.pem"])
        let none = try Self.settings([], environment: ["SERVICEPLATFORM_SERVICE_AUDIENCE": ""])
        #expect(none.clientTrustRoots.isEmpty)
        #expect(none.extraAudiences.isEmpty)
    }

    @Test("a single-valued flag wins over its variable")
    func flagWins() throws {
        let settings = try Self.settings(["--admin-token", "from-flag"],
                                         environment: ["SERVICEPLATFORM_ADMIN_TOKEN": "from-env", "SERVICEPLATFORM_ADMIN_PORT": "9090"])
        #expect(settings.adminToken == "from-flag")
        #expect(settings.adminPort == 9090)
    }

    // MARK: The admin listener's address

    @Test("attack: admin API exposed with the service port. --bind-address 0.0.0.0 leaves the admin listener on 127.0.0.1")
    func adminStaysOnLoopback() throws {
        let settings = try Self.settings(["--bind-address", "0.0.0.0"])
        #expect(settings.bindAddress == "0.0.0.0")
        #expect(settings.adminBindAddress == "127.0.0.1")
        #expect(try Self.settings([]).adminBindAddress == "127.0.0.1")
    }

    @Test("--admin-bind-address and SERVICEPLATFORM_ADMIN_BIND_ADDRESS set the admin listener's address alone")
    func adminBindAddress() throws {
        let flag = try Self.settings(["--admin-bind-address", "10.0.0.5"], environment: ["SERVICEPLATFORM_ADMIN_BIND_ADDRESS": "10.0.0.6"])
        #expect(flag.adminBindAddress == "10.0.0.5")
        #expect(flag.bindAddress == "127.0.0.1")
        let environment = try Self.settings([], environment: ["SERVICEPLATFORM_ADMIN_BIND_ADDRESS": "10.0.0.6"])
        #expect(environment.adminBindAddress == "10.0.0.6")
    }

    @Test("each listener is configured with its own address (nothing is bound here)")
    func listenersUseTheirOwnAddress() async throws {
        let dataDirectory = NSTemporaryDirectory() + "sp-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        try FileManager.default.copyItem(atPath: SharedTestPKI.directory, toPath: dataDirectory + "/pki")
        var settings = try Self.settings(["--bind-address", "0.0.0.0", "--service-port", "0", "--admin-port", "0"])
        settings.dataDirectory = dataDirectory
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let platform = try await Platform.build(settings: settings, logger: logger)
        #expect(try platform.serviceApplication { _ in }.configuration.address == .hostname("0.0.0.0", port: 0))
        #expect(platform.adminApplication { _ in }.configuration.address == .hostname("127.0.0.1", port: 0))
        try await platform.transport.shutdown()
    }

    @Test("the ready line keeps its format, each listener with its own address")
    func readyLine() {
        #expect(ReadyLine.text(serviceHost: "127.0.0.1", servicePort: 8443, adminHost: "127.0.0.1", adminPort: 8080)
                == "ready service=https://127.0.0.1:8443 admin=http://127.0.0.1:8080")
        #expect(ReadyLine.text(serviceHost: "0.0.0.0", servicePort: 8443, adminHost: "127.0.0.1", adminPort: 8080)
                == "ready service=https://0.0.0.0:8443 admin=http://127.0.0.1:8080")
    }
}
