import ServicePlatform

/// Slet bevilling: delete a grant as of the day of the call.
package struct SletBevilling: Sendable, Equatable {
    package let header: MessageHeader
    package let bevillingID: String
    package let sagID: String?
    package let kontaktforloebID: String?

    package init(header: MessageHeader, bevillingID: String, sagID: String?, kontaktforloebID: String?) {
        self.header = header
        self.bevillingID = bevillingID
        self.sagID = sagID
        self.kontaktforloebID = kontaktforloebID
    }
}
