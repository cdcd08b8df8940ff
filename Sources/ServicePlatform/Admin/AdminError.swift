/// A refused admin request: the HTTP status and a message for the administrator.
package struct AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable { case badRequest, notFound, conflict }
    package let kind: Kind
    package let message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var status: Int {
        switch kind {
        case .badRequest: 400
        case .notFound: 404
        case .conflict: 409
        }
    }

    package var description: String { message }

    init(_ error: StoreError) {
        switch error {
        case .notFound(let m): self.init(.notFound, m)
        case .conflict(let m): self.init(.conflict, m)
        case .invalid(let m): self.init(.badRequest, m)
        }
    }
}
