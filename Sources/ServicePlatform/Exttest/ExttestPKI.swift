import Foundation

/// The certificates of an exttest installation, generated once into `<data-dir>/pki/` and read
/// back on every start: the test CA, the router's server certificate, the platform's client
/// certificate (presented to receivers), the demo jobcenter's server certificate and the demo
/// caller "KY demo".
package struct ExttestPKI: Sendable {
    package struct Pair: Sendable {
        package let certificatePath: String
        package let keyPath: String
        package var certificatePEM: String { (try? String(contentsOfFile: certificatePath, encoding: .utf8)) ?? "" }
        package var keyPEM: String { (try? String(contentsOfFile: keyPath, encoding: .utf8)) ?? "" }
    }

    package let directory: String
    package let ca: Pair
    package let routerServer: Pair
    package let platformClient: Pair
    package let jobcenterServer: Pair
    package let demoCaller: Pair
    /// The exttest STS's signing certificate (RSA: assertions are signed RSA-SHA256).
    package let sts: Pair
    /// The certificate responses to SAML-model calls are signed with (published in the contract package).
    package let responseSigning: Pair

    /// Opens `<dataDirectory>/pki`, creating whatever is missing.
    package static func ensure(dataDirectory: String, now: Date = Date()) throws -> ExttestPKI {
        let dir = (dataDirectory as NSString).appendingPathComponent("pki")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        func pair(_ name: String) -> Pair {
            Pair(certificatePath: "\(dir)/\(name).pem", keyPath: "\(dir)/\(name)-key.pem")
        }
        let caPair = pair("ca")
        let ca: CertificateAuthority
        if FileManager.default.fileExists(atPath: caPair.certificatePath) {
            ca = try CertificateAuthority.load(certificatePEM: caPair.certificatePEM, privateKeyPEM: caPair.keyPEM)
        } else {
            ca = try CertificateAuthority.create(commonName: "Serviceplatform exttest CA", now: now)
            try write(ca.root, to: caPair)
        }
        let localhost = (dns: ["localhost"], ip: [[UInt8(127), 0, 0, 1]])
        let issued: [(Pair, () throws -> IssuedCertificate)] = [
            (pair("router-server"), { try ca.issue(commonName: "serviceplatform router", usage: .server, dnsNames: localhost.dns, ipAddresses: localhost.ip) }),
            (pair("platform-client"), { try ca.issue(commonName: "serviceplatform", usage: .client, key: .rsa2048) }),
            (pair("jobcenter-server"), { try ca.issue(commonName: "demo jobcenter", usage: .server, dnsNames: localhost.dns, ipAddresses: localhost.ip) }),
            (pair("ky-demo"), { try ca.issue(commonName: "KY demo", organization: "KOMBIT exttest", usage: .client, key: .rsa2048) }),
            (pair("sts"), { try ca.issue(commonName: "Serviceplatform exttest STS", usage: .client, key: .rsa2048) }),
            (pair("response-signing"), { try ca.issue(commonName: "Serviceplatform exttest response signing", usage: .client, key: .rsa2048) }),
        ]
        for (target, make) in issued where !FileManager.default.fileExists(atPath: target.certificatePath) {
            try write(try make(), to: target)
        }
        return ExttestPKI(directory: dir, ca: caPair, routerServer: pair("router-server"), platformClient: pair("platform-client"),
                          jobcenterServer: pair("jobcenter-server"), demoCaller: pair("ky-demo"), sts: pair("sts"), responseSigning: pair("response-signing"))
    }

    /// The CA, for issuing more certificates (self-service test certificates).
    package func authority() throws -> CertificateAuthority {
        try CertificateAuthority.load(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.keyPEM)
    }

    private static func write(_ issued: IssuedCertificate, to pair: Pair) throws {
        try issued.certificatePEM.write(toFile: pair.certificatePath, atomically: true, encoding: .utf8)
        guard FileManager.default.createFile(atPath: pair.keyPath, contents: Data(try issued.privateKeyPEM.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
