/// A jobcenter system registered to receive calls for some municipality codes.
package struct Receiver: Sendable, Equatable {
    package let systemID: String
    package let name: String
    /// HTTPS endpoint URL (or `inprocess:` for a receiver living in this process).
    package let endpoint: String
    package let municipalityCodes: Set<Myndighedskode>
    /// PEM of the CA its server certificate must chain to.
    package let trustRootPEM: String?

    package init(systemID: String, name: String, endpoint: String, municipalityCodes: Set<Myndighedskode>, trustRootPEM: String? = nil) {
        self.systemID = systemID
        self.name = name
        self.endpoint = endpoint
        self.municipalityCodes = municipalityCodes
        self.trustRootPEM = trustRootPEM
    }
}
