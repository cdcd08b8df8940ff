/// Finds the receiver for a municipality code: the routing decision. One code has at most one receiver.
package protocol ReceiverDirectory: Sendable {
    func receiver(for code: Myndighedskode) async -> Receiver?
}

/// A fixed set of receivers, from configuration.
package struct StaticReceiverDirectory: ReceiverDirectory {
    private let byCode: [Myndighedskode: Receiver]

    package init(_ receivers: [Receiver]) {
        var map: [Myndighedskode: Receiver] = [:]
        for receiver in receivers {
            for code in receiver.municipalityCodes where map[code] == nil { map[code] = receiver }
        }
        byCode = map
    }

    package func receiver(for code: Myndighedskode) async -> Receiver? { byCode[code] }
}
