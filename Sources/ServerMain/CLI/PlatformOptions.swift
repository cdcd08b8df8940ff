import ArgumentParser
import Foundation

/// The flags `serve` and `demo` share. Each can also be set as `SERVICEPLATFORM_<FLAG_IN_CAPS>`;
/// a flag on the command line wins, except for the repeatable ones, whose variable may hold
/// several values (separated by newlines or commas) that the flags add to: a deployment sets
/// its list in the environment, and a flag must not silently drop it. This is the only place
/// that reads settings from the environment (`PreferredAllocator` reads
/// `SERVICEPLATFORM_ALLOCATOR`, before any parsing).
struct PlatformOptions: ParsableArguments {
    /// The largest request body accepted unless `--max-body-bytes` says otherwise.
    static let defaultMaxBodyBytes = 1 << 20

    @Option(help: "Where the SQLite database, generated keys and certificates live.")
    var dataDir: String?

    @Option(help: ArgumentHelp("PostgreSQL instead of the embedded SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require].",
                               discussion: "Prefer SERVICEPLATFORM_DATABASE_URL when the URL holds a password: a flag shows in the process list."))
    var databaseUrl: String?

    @Option(help: "Service listener port (0 picks a free port).")
    var servicePort: Int?

    @Option(help: "Admin listener port (0 picks a free port).")
    var adminPort: Int?

    @Option(help: "Address the service listener (and the demo jobcenter) binds to.")
    var bindAddress: String?

    /// Its own flag so that opening the service to the network (`--bind-address 0.0.0.0`) does not
    /// open the admin API, its pages and /metrics with it.
    @Option(help: "Address the admin listener (admin API and pages, /status, /metrics, /health) binds to.")
    var adminBindAddress: String?

    @Option(help: "The admin bearer token.")
    var adminToken: String?

    @Option(help: "The directory of the published WSDL and XSD files.")
    var wsdlDir: String?

    @Option(help: "Largest accepted request body in bytes.")
    var maxBodyBytes: Int?

    @Option(help: ArgumentHelp("PEM of an extra CA trusted for client certificates; repeatable.",
                               discussion: "SERVICEPLATFORM_CLIENT_TRUST_ROOT may hold several files, separated by newlines or commas; flags add to them."))
    var clientTrustRoot: [String] = []

    @Option(help: "PEM certificate of an extra STS whose assertions are trusted (with --sts-entity-id).")
    var trustedSts: String?

    @Option(help: "The entity id (assertion Issuer) of the STS given with --trusted-sts.")
    var stsEntityId: String?

    @Option(help: "PEM certificate responses to SAML-model calls are signed with (default: generated into the data folder).")
    var signingCert: String?

    @Option(help: "PEM private key of --signing-cert.")
    var signingKey: String?

    @Option(help: ArgumentHelp("An extra audience accepted in assertions; repeatable.",
                               discussion: "SERVICEPLATFORM_SERVICE_AUDIENCE may hold several audiences, separated by newlines or commas; flags add to them."))
    var serviceAudience: [String] = []

    @Option(help: "PEM certificate (chain) the service listener presents (default: generated into the data folder by its test CA).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "PEM client certificate the platform presents to receivers (default: generated into the data folder by its test CA).")
    var clientCert: String?

    @Option(help: "PEM private key of --client-cert.")
    var clientKey: String?

    @Flag(help: ArgumentHelp("serve only: also run the exttest parts (trust the data folder's test CA for client certificates, the built-in STS, test certificates); demo always does.",
                             discussion: "Or SERVICEPLATFORM_EXTTEST=true."))
    var exttest = false

    @Option(help: "Seconds between probes of each receiver (feeds /status and /metrics).")
    var probeIntervalSeconds: Int?

    @Option(help: "The demo jobcenter's HTTPS port (demo only; 0 picks a free port).")
    var jobcenterPort: Int?

    @Option(help: "Connect timeout towards receivers, in milliseconds.")
    var forwardConnectTimeoutMs: Int?

    @Option(help: "Deadline for a whole forwarded call, in milliseconds.")
    var forwardTimeoutMs: Int?

    /// `SERVICEPLATFORM_DATA_DIR` for `data-dir`.
    static func environmentName(_ flag: String) -> String {
        "SERVICEPLATFORM_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The values of a repeatable flag's variable: separated by newlines or commas (a list
    /// written either way in a unit file, a compose file or a Kubernetes manifest), each trimmed,
    /// empty ones dropped.
    static func listValues(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" || $0 == "," })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// The settings with defaults filled in; `environment` is the process's, except in tests.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PlatformSettings {
        func value(_ flag: String, _ given: String?) -> String? {
            given ?? environment[Self.environmentName(flag)]
        }
        func intValue(_ flag: String, _ given: Int?) -> Int? {
            given ?? value(flag, nil).flatMap(Int.init)
        }
        /// A repeatable flag: the variable's values first, then the flags'.
        func values(_ flag: String, _ given: [String]) -> [String] {
            Self.listValues(environment[Self.environmentName(flag)] ?? "") + given
        }
        /// A certificate file and its key file, each a flag or its variable: both or neither.
        func pair(_ certificateFlag: String, _ certificate: String?, _ keyFlag: String, _ key: String?) throws -> (certificate: String, key: String)? {
            try Self.pair(value(certificateFlag, certificate), value(keyFlag, key), "--" + certificateFlag, "--" + keyFlag)
        }
        return PlatformSettings(
            dataDirectory: value("data-dir", dataDir) ?? "data",
            databaseURL: value("database-url", databaseUrl),
            servicePort: intValue("service-port", servicePort) ?? 8443,
            adminPort: intValue("admin-port", adminPort) ?? 8080,
            bindAddress: value("bind-address", bindAddress) ?? "127.0.0.1",
            adminBindAddress: value("admin-bind-address", adminBindAddress) ?? "127.0.0.1",
            adminToken: value("admin-token", adminToken),
            wsdlDirectory: try value("wsdl-dir", wsdlDir) ?? WSDLDirectory.locate(),
            maxBodyBytes: intValue("max-body-bytes", maxBodyBytes) ?? Self.defaultMaxBodyBytes,
            clientTrustRoots: values("client-trust-root", clientTrustRoot),
            jobcenterPort: intValue("jobcenter-port", jobcenterPort) ?? 8444,
            forwardConnectTimeoutMs: intValue("forward-connect-timeout-ms", forwardConnectTimeoutMs) ?? 2_000,
            forwardTimeoutMs: intValue("forward-timeout-ms", forwardTimeoutMs) ?? 10_000,
            trustedSTS: try Self.trustedSTSSetting(file: value("trusted-sts", trustedSts), entityID: value("sts-entity-id", stsEntityId)),
            extraAudiences: values("service-audience", serviceAudience),
            signingCertificate: try pair("signing-cert", signingCert, "signing-key", signingKey),
            tlsCertificate: try pair("tls-cert", tlsCert, "tls-key", tlsKey),
            clientCertificate: try pair("client-cert", clientCert, "client-key", clientKey),
            exttest: exttest || ["1", "true", "yes"].contains(environment[Self.environmentName("exttest")]?.lowercased() ?? ""),
            probeIntervalSeconds: max(1, intValue("probe-interval-seconds", probeIntervalSeconds) ?? 30))
    }
}

/// Resolved settings, handed to `buildPlatform`; tests construct them directly.
struct PlatformSettings: Sendable {
    var dataDirectory: String
    /// PostgreSQL instead of the SQLite file in `dataDirectory`.
    var databaseURL: String? = nil
    var servicePort: Int
    var adminPort: Int
    /// The service listener's address (and the demo jobcenter's).
    var bindAddress: String
    /// The admin listener's address: loopback unless configured, whatever `bindAddress` is.
    var adminBindAddress: String = "127.0.0.1"
    var adminToken: String?
    var wsdlDirectory: String
    var maxBodyBytes: Int
    var clientTrustRoots: [String] = []
    var jobcenterPort: Int = 8444
    var forwardConnectTimeoutMs: Int = 2_000
    var forwardTimeoutMs: Int = 10_000
    /// An external STS: (certificate file, entity id).
    var trustedSTS: (file: String, entityID: String)? = nil
    var extraAudiences: [String] = []
    /// The SAML-model answers' signing certificate and key files; nil: the data folder's generated ones.
    var signingCertificate: (certificate: String, key: String)? = nil
    /// The listener's certificate and key files; nil: the data folder's generated ones.
    var tlsCertificate: (certificate: String, key: String)? = nil
    /// The client certificate and key presented to receivers; nil: the data folder's generated ones.
    var clientCertificate: (certificate: String, key: String)? = nil
    /// The exttest parts: the data folder's test CA trusted for client certificates, the built-in
    /// STS trusted and served, test certificates offered. `demo` always; `serve` with `--exttest`.
    var exttest: Bool = true
    var probeIntervalSeconds: Int = 30

    /// The audience every assertion may name, whatever is configured.
    static let defaultAudience = "urn:serviceplatform:service:JC:Kontanthjaelp:2"
    /// The exttest STS's entity id.
    static let exttestSTSEntityID = "urn:serviceplatform:exttest:sts"
}

extension PlatformOptions {
    struct IncompletePair: Error, CustomStringConvertible {
        let given: String
        let missing: String
        var description: String { "\(given) needs \(missing)" }
    }

    /// A certificate file and its key file: both or neither.
    static func pair(_ certificate: String?, _ key: String?, _ certificateFlag: String, _ keyFlag: String)
        throws(IncompletePair) -> (certificate: String, key: String)? {
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let c?, let k?): return (c, k)
        case (_?, nil): throw IncompletePair(given: certificateFlag, missing: keyFlag)
        case (nil, _?): throw IncompletePair(given: keyFlag, missing: certificateFlag)
        }
    }

    struct MissingEntityID: Error, CustomStringConvertible {
        var description: String { "--trusted-sts needs --sts-entity-id" }
    }

    static func trustedSTSSetting(file: String?, entityID: String?) throws(MissingEntityID) -> (file: String, entityID: String)? {
        guard let file else { return nil }
        guard let entityID else { throw MissingEntityID() }
        return (file, entityID)
    }
}

/// Finds `wsdl/`: beside the working directory (a checkout), or above the executable
/// (`.build/<config>/serviceplatform`).
enum WSDLDirectory {
    struct NotFound: Error, CustomStringConvertible {
        var description: String { "cannot find the wsdl/ directory; pass --wsdl-dir" }
    }

    static func locate() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath + "/wsdl"]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("wsdl").path)
            dir = dir.deletingLastPathComponent()
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/Kontanthjaelp_2.xsd") {
            return URL(fileURLWithPath: candidate).standardizedFileURL.path
        }
        throw NotFound()
    }
}
