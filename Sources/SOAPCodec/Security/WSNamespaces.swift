/// The namespaces of WS-Security, SAML 2.0, XML Signature, WS-Addressing and Liberty that the
/// token model reads; compared by URI only.
package enum WSNamespaces {
    package static let wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    package static let wsse11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
    package static let wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    package static let saml = "urn:oasis:names:tc:SAML:2.0:assertion"
    package static let ds = "http://www.w3.org/2000/09/xmldsig#"
    package static let wsa = "http://www.w3.org/2005/08/addressing"
    package static let sbf = "urn:liberty:sb:2006-08"
    package static let sbfProfile = "urn:liberty:sb:profile"

    package static let samlIDValueType = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID"
    package static let samlTokenType = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"
    package static let x509TokenType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
    package static let base64Encoding = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
    package static let exclusiveC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
    package static let rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    package static let sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
    package static let envelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    package static let strTransform = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform"
    package static let holderOfKey = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
}
