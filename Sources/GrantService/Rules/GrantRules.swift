import ServicePlatform

/// The business rules beyond the schema (SP-1003). Each violation names the element it is about.
package struct GrantRules: Sendable {
    package init() {}

    /// The statuses a benefit system may send; Ansoegt and Afslaaet exist in the schema only.
    package static let allowedStatuses: Set<Bevilling.Status> = [.afgjort, .iGang, .stoppet]

    package func check(_ request: GrantRequest) throws(PlatformFault) {
        guard request.header.cprNummer.hasValidDate else {
            throw PlatformFault(.businessRule, "CPRNummer does not begin with a valid date (DDMMYY)")
        }
        guard case .ret(let ret) = request else { return }
        let b = ret.bevilling
        guard Self.allowedStatuses.contains(b.status) else {
            throw PlatformFault(.businessRule, "Status \(b.status.rawValue) may not be sent; only Afgjort, IGang and Stoppet")
        }
        if b.status == .stoppet, b.tilDato == nil {
            throw PlatformFault(.businessRule, "Virkning/TilDato is required when Status is Stoppet")
        }
        if let til = b.tilDato, til < b.fraDato {
            throw PlatformFault(.businessRule, "Virkning/TilDato is before Virkning/FraDato")
        }
    }
}
