/// A decoded Kontanthjaelp request of either operation.
package enum GrantRequest: Sendable, Equatable {
    case ret(RetBevilling)
    case slet(SletBevilling)

    package var header: MessageHeader {
        switch self {
        case .ret(let ret): ret.header
        case .slet(let slet): slet.header
        }
    }
}
