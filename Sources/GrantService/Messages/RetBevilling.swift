import ServicePlatform

/// Ret bevilling: create or update a grant.
package struct RetBevilling: Sendable, Equatable {
    package let header: MessageHeader
    package let bevilling: Bevilling

    package init(header: MessageHeader, bevilling: Bevilling) {
        self.header = header
        self.bevilling = bevilling
    }
}

/// The grant as the benefit system decided it.
package struct Bevilling: Sendable, Equatable {
    package enum Ydelsestype: String, Sendable, CaseIterable {
        case kontanthjaelp = "Kontanthjaelp"
        case uddannelseshjaelp = "Uddannelseshjaelp"
        case selvforsoergelsesydelse = "Selvforsoergelsesydelse"
        case hjemrejseydelse = "Hjemrejseydelse"
        case overgangsydelse = "Overgangsydelse"
    }

    package enum Status: String, Sendable, CaseIterable {
        case ansoegt = "Ansoegt"
        case afslaaet = "Afslaaet"
        case afgjort = "Afgjort"
        case iGang = "IGang"
        case stoppet = "Stoppet"
    }

    package let bevillingID: String
    package let ydelsestype: Ydelsestype
    package let status: Status
    package let afgoerelsesDato: CalendarDate
    package let fraDato: CalendarDate
    package let tilDato: CalendarDate?
    package let sagID: String?
    package let kontaktforloebID: String?

    package init(bevillingID: String, ydelsestype: Ydelsestype, status: Status, afgoerelsesDato: CalendarDate, fraDato: CalendarDate,
                 tilDato: CalendarDate?, sagID: String?, kontaktforloebID: String?) {
        self.bevillingID = bevillingID
        self.ydelsestype = ydelsestype
        self.status = status
        self.afgoerelsesDato = afgoerelsesDato
        self.fraDato = fraDato
        self.tilDato = tilDato
        self.sagID = sagID
        self.kontaktforloebID = kontaktforloebID
    }
}
