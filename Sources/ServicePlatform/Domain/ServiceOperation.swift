import SOAPCodec

/// One operation of a service: the SOAPAction that names it and its request/response elements.
package struct ServiceOperation: Hashable, Sendable {
    /// Short name, e.g. `RetBevilling`; used in audit records and metric labels.
    package let name: String
    package let action: String
    package let requestElement: QualifiedName
    package let responseElement: QualifiedName

    package init(name: String, action: String, requestElement: QualifiedName, responseElement: QualifiedName) {
        self.name = name
        self.action = action
        self.requestElement = requestElement
        self.responseElement = responseElement
    }
}
