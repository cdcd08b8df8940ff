import Foundation
import GrantService
import ServicePlatform
import SOAPCodec

/// What `demo` hands a tester once it is up: a ready-made message and two commands, with the
/// real ports and absolute paths, that make a real call over mutual TLS and show the receipt.
struct ExttestQuickstart: Sendable {
    let executable: String
    let dataDirectory: String
    let pki: ExttestPKI
    let pkcs12: ExttestPKI.PKCS12File

    static let exampleFileName = "example-ret-bevilling.xml"
    var examplePath: String { dataDirectory + "/" + Self.exampleFileName }

    init(dataDirectory: String, pki: ExttestPKI, pkcs12: ExttestPKI.PKCS12File) {
        self.dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.pki = pki
        self.pkcs12 = pkcs12
        executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// Writes `<data-dir>/example-ret-bevilling.xml`: a SOAP 1.1 RetBevilling from "KY demo" for
    /// municipality 101 (CVR 64942212), with a fresh BeskedID each start.
    func writeExampleMessage() throws {
        let request = try Send.parse(["ret-bevilling", "--myndighedskode", "101", "--cvr", "64942212"]).buildRequest()
        let envelope = SOAPMessageWriter.envelope(.soap11, body: request.callerMarkup(
            authorityCVR: "64942212", callContext: [("OnBehalfOfUser", "curl demo")]))
        try Data(envelope).write(to: URL(fileURLWithPath: examplePath), options: .atomic)
    }

    /// The lines printed after the ready line; `host` and `adminHost` are the two listeners' addresses.
    func lines(host: String, adminHost: String, servicePort: Int, adminPort: Int) -> [String] {
        func reachable(_ host: String) -> String { ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host }
        let endpoint = "https://\(reachable(host)):\(servicePort)/service/JC/Kontanthjaelp/2"
        let admin = "http://\(reachable(adminHost)):\(adminPort)"
        let send = "\(Self.quote(executable)) send ret-bevilling --endpoint \(endpoint) --data-dir \(Self.quote(dataDirectory))"
        return [
            "Try a call (paste either line; each prints the receipt):",
            "  " + send,
            "  curl -sS --cacert \(Self.quote(pki.ca.certificatePath)) --cert \(Self.quote(pki.demoCaller.certificatePath))"
                + " --key \(Self.quote(pki.demoCaller.keyPath)) -H 'Content-Type: text/xml; charset=utf-8'"
                + " -H 'SOAPAction: \"urn:serviceplatform:jc:kontanthjaelp:2:RetBevilling\"'"
                + " --data-binary @\(Self.quote(examplePath)) \(endpoint)",
            "The same caller as PKCS#12 (and under the SAML model):",
            "  " + send + " --pkcs12 \(Self.quote(pkcs12.path)) --passphrase \(Self.quote(pkcs12.passphrase)) --security saml",
            "Admin pages: \(admin)/admin/ (log in with the admin token above) · status: \(admin)/status · metrics: \(admin)/metrics",
        ]
    }

    /// A word for a POSIX shell: as is when safe, else single-quoted.
    static func quote(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%")
        if !word.isEmpty, word.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
