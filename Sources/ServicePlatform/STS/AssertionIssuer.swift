import Foundation
import SOAPCodec
import SwiftASN1
import X509

/// Issues SAML 2.0 holder-of-key assertions as the real platform's STS does (NameID, Recipient,
/// AuthnStatement, the DK attribute set), signed with xmlsec (enveloped, exclusive c14n,
/// RSA-SHA256).
package struct AssertionIssuer: Sendable {
    package let entityID: String
    private let key: SignatureKey
    private let certificateBase64: String
    package let lifetime: TimeInterval

    package init(entityID: String, certificatePEM: String, privateKeyPEM: String, lifetime: TimeInterval = 8 * 3600) throws {
        self.entityID = entityID
        key = try SignatureKey(privateKeyPEM: privateKeyPEM)
        guard let der = try PEMDocument.parseMultiple(pemString: certificatePEM).first(where: { $0.discriminator == "CERTIFICATE" })?.derBytes else {
            throw CocoaError(.fileReadCorruptFile)
        }
        certificateBase64 = Data(der).base64EncodedString()
        self.lifetime = lifetime
    }

    /// A signed assertion for the holder of `holderCertificateDER`, for `cvr`, for `audience`.
    package func issue(holderCertificateDER: [UInt8], cvr: MunicipalityCVR, audience: String, now: Date = Date()) throws -> String {
        let subject = (try? Certificate(derEncoded: holderCertificateDER))?.subject.description ?? "unknown"
        let id = "_" + UUID.random().lowercasedText
        let issued = XSDateTime.format(now)
        let notBefore = XSDateTime.format(now.addingTimeInterval(-60))
        let until = XSDateTime.format(now.addingTimeInterval(lifetime))
        let holder = Data(holderCertificateDER).base64EncodedString()
        let privileges = Data("""
            <bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:\(cvr.rawValue)"><Privilege>urn:dk:serviceplatform:jc:kontanthjaelp</Privilege></PrivilegeGroup></bpp:PrivilegeList>
            """.utf8).base64EncodedString()
        var w = XMLWriter()
        let ns = WSNamespaces.self
        w.open("saml:Assertion", namespaces: [("saml", ns.saml), ("ds", ns.ds)],
               attributes: [("ID", id), ("IssueInstant", issued), ("Version", "2.0")])
        w.element("saml:Issuer", entityID)
        w.raw(SignatureTemplate.enveloped(referenceID: id, certificateBase64: certificateBase64))
        w.open("saml:Subject")
        w.open("saml:NameID", attributes: [("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName")])
        w.raw(XMLWriter.escape(subject, attribute: false))
        w.close("saml:NameID")
        w.open("saml:SubjectConfirmation", attributes: [("Method", ns.holderOfKey)])
        w.open("saml:SubjectConfirmationData", attributes: [("NotOnOrAfter", until), ("Recipient", audience)])
        w.open("ds:KeyInfo")
        w.open("ds:X509Data")
        w.element("ds:X509Certificate", holder)
        w.close("ds:X509Data")
        w.close("ds:KeyInfo")
        w.close("saml:SubjectConfirmationData")
        w.close("saml:SubjectConfirmation")
        w.close("saml:Subject")
        w.open("saml:Conditions", attributes: [("NotBefore", notBefore), ("NotOnOrAfter", until)])
        w.open("saml:AudienceRestriction")
        w.element("saml:Audience", audience)
        w.close("saml:AudienceRestriction")
        w.close("saml:Conditions")
        w.open("saml:AuthnStatement", attributes: [("AuthnInstant", issued)])
        w.open("saml:AuthnContext")
        w.element("saml:AuthnContextClassRef", "urn:oasis:names:tc:SAML:2.0:ac:classes:X509")
        w.close("saml:AuthnContext")
        w.close("saml:AuthnStatement")
        w.open("saml:AttributeStatement")
        for (name, value) in [("dk:gov:saml:attribute:CvrNumberIdentifier", cvr.rawValue), ("dk:gov:saml:attribute:AssuranceLevel", "3"),
                              ("dk:gov:saml:attribute:SpecVer", "DK-SAML-2.0"), ("dk:gov:saml:attribute:KombitSpecVer", "1.0"),
                              ("dk:gov:saml:attribute:Privileges_intermediate", privileges)] {
            w.open("saml:Attribute", attributes: [("Name", name), ("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic")])
            w.element("saml:AttributeValue", value)
            w.close("saml:Attribute")
        }
        w.close("saml:AttributeStatement")
        w.close("saml:Assertion")

        let document = try XMLDocument(parsing: w.bytes, editable: true)
        guard let root = document.root, root.registerID(attribute: "ID", namespace: nil),
              let signature = root.child(named: QualifiedName(ns.ds, "Signature")) else {
            throw CocoaError(.coderInvalidValue)
        }
        try XMLSigner.sign(signature, with: key)
        return root.serialized()
    }
}
