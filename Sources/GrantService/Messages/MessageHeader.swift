import ServicePlatform

/// The common header (faellesdel) every Kontanthjaelp message carries.
package struct MessageHeader: Sendable, Equatable {
    package let beskedID: String
    package let beskedTidspunkt: String
    package let afsenderSystem: String
    package let myndighedskode: Myndighedskode
    package let cprNummer: CPRNummer

    package init(beskedID: String, beskedTidspunkt: String, afsenderSystem: String, myndighedskode: Myndighedskode, cprNummer: CPRNummer) {
        self.beskedID = beskedID
        self.beskedTidspunkt = beskedTidspunkt
        self.afsenderSystem = afsenderSystem
        self.myndighedskode = myndighedskode
        self.cprNummer = cprNummer
    }
}
