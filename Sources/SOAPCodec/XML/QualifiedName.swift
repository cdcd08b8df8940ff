/// An element name by namespace URI and local name: the only way names are compared, never by prefix.
package struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
    package let namespace: String
    package let localName: String

    package init(_ namespace: String, _ localName: String) {
        self.namespace = namespace
        self.localName = localName
    }

    package var description: String { "{\(namespace)}\(localName)" }
}
