/// The two security models the service offers, as named in `sp:Routing` and the audit log.
package enum SecurityModelKind: String, Sendable, Hashable {
    case authorityContext = "AuthorityContext"
    case saml = "SAML"
}
