import Foundation
import SOAPCodec

/// The context elements that may lead a request element (in either order, each at most once):
/// `cc:CallContext`, `ac:AuthorityContext`, and the refused `InvocationContext`.
package struct RequestContexts {
    package static let callContextNamespace = "http://serviceplatformen.dk/xml/schemas/CallContext/1/"
    package static let authorityContextNamespace = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
    package static let invocationContextNamespace = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"

    static let callContextName = QualifiedName(callContextNamespace, "CallContext")
    static let authorityContextName = QualifiedName(authorityContextNamespace, "AuthorityContext")
    static let invocationContextName = QualifiedName(invocationContextNamespace, "InvocationContext")

    package let callContext: XMLElement?
    package let authorityContext: XMLElement?

    /// Reads the leading context elements of `request`, changing nothing (a signature may cover them).
    package init(of request: XMLElement) throws(PlatformFault) {
        var call: XMLElement?
        var authority: XMLElement?
        for child in request.children {
            if child.is(Self.invocationContextName) || child.namespace == Self.invocationContextNamespace {
                throw PlatformFault(.authenticationFailed,
                                    "the InvocationContext security model is not offered; this service offers AuthorityContext and SAML token")
            }
            if child.is(Self.callContextName) {
                guard call == nil else { throw PlatformFault(.schemaViolation, "CallContext occurs more than once") }
                call = child
            } else if child.is(Self.authorityContextName) {
                guard authority == nil else { throw PlatformFault(.schemaViolation, "AuthorityContext occurs more than once") }
                authority = child
            } else {
                break
            }
        }
        callContext = call
        authorityContext = authority
    }

    /// Puts CallContext before AuthorityContext, the order of the published schema, so that schema
    /// validation accepts both orders real clients send. Only after the security model ran: the
    /// message signature was computed over the order the caller sent.
    package func normalizeOrderForSchema() {
        if let callContext, let authorityContext, authorityContext.precedes(callContext) {
            callContext.move(before: authorityContext)
        }
    }

    /// The CVR an AuthorityContext names: nil when there is none, SP-2001 when it is malformed.
    package func authorityCVR() throws(PlatformFault) -> MunicipalityCVR? {
        guard let authorityContext else { return nil }
        let children = authorityContext.children
        guard children.count == 1, children[0].is(QualifiedName(Self.authorityContextNamespace, "MunicipalityCVR")),
              children[0].children.isEmpty,
              let cvr = MunicipalityCVR(children[0].text.trimmingXMLWhitespace())
        else {
            throw PlatformFault(.authenticationFailed, "AuthorityContext is malformed: MunicipalityCVR must be 8 digits")
        }
        return cvr
    }

    /// CallContext values for the audit record (already length-checked by the schema).
    package func callContextValues() -> [String: String] {
        guard let callContext else { return [:] }
        var values: [String: String] = [:]
        for child in callContext.children where child.namespace == Self.callContextNamespace {
            values[child.localName] = child.text
        }
        return values
    }
}
