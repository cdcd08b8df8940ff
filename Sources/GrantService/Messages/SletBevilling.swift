/// Slet bevilling: delete a grant as of the day of the call.
package struct SletBevilling: Sendable, Equatable {
    package let header: MessageHeader
    package let bevillingID: String
    package let sagID: String?
    package let kontaktforloebID: String?
}
