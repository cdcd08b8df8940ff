import ServicePlatform

/// The common header (faellesdel) every Kontanthjaelp message carries.
package struct MessageHeader: Sendable, Equatable {
    package let beskedID: String
    package let beskedTidspunkt: String
    package let afsenderSystem: String
    package let myndighedskode: Myndighedskode
    package let cprNummer: CPRNummer
}
