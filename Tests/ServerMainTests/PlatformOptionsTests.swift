import Foundation
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
}
