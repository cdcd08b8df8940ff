import CLibXML2
import CXMLSecShims

/// What a verified signature covered: the same-document references, in SignedInfo order.
package struct VerifiedReferences: Sendable, Equatable {
    /// The ids the references name (the URIs without `#`).
    package let ids: [String]
}

/// Why a signature was refused; every case is SP-2001 to the caller.
package enum SignatureError: Error, Sendable, Equatable {
    case unavailable
    case notVerified(String)
}

/// XML Signature verification with libxmlsec1, only with a key the caller trusts (never one
/// from KeyInfo) and only the contract's algorithms and transforms.
package enum SignatureVerifier {
    package enum Profile: Sendable {
        /// A SAML assertion's enveloped signature.
        case enveloped
        /// A WS-Security message signature over elements referenced by id.
        case detached
    }

    /// `tokenAssertion`: the verified assertion an STR-Transform reference may dereference to
    /// (message signatures of the OIO IDWS layout); without it such a reference fails.
    package static func verify(_ signature: XMLElement, with key: SignatureKey, profile: Profile,
                               tokenAssertion: XMLElement? = nil) throws(SignatureError) -> VerifiedReferences {
        LibXMLRuntime.ensureInitialised()
        guard LibXMLRuntime.xmlsecReady else { throw .unavailable }
        var result = cxmlsec_verification()
        let rc = cxmlsec_verify_with_assertion(UnsafeMutableRawPointer(signature.raw), key.raw,
                                               Int32(profile == .enveloped ? CXMLSEC_PROFILE_ENVELOPED : CXMLSEC_PROFILE_DETACHED),
                                               tokenAssertion.map { UnsafeMutableRawPointer($0.raw) }, &result)
        guard rc == 0, result.succeeded == 1 else {
            throw .notVerified(Self.string(&result.reason))
        }
        var ids: [String] = []
        withUnsafeBytes(of: &result.uris) { raw in
            let stride = 256
            for i in 0..<Int(result.reference_count) {
                let slice = raw[(i * stride)..<((i + 1) * stride)]
                let end = slice.firstIndex(of: 0) ?? slice.endIndex
                let uri = String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
                ids.append(uri.hasPrefix("#") ? String(uri.dropFirst()) : uri)
            }
        }
        return VerifiedReferences(ids: ids)
    }

    private static func string<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            let end = raw.firstIndex(of: 0) ?? raw.endIndex
            return String(decoding: raw[raw.startIndex..<end], as: UTF8.self)
        }
    }
}

/// Signs a prepared `ds:Signature` template in place (the STS's assertions, signed responses).
package enum XMLSigner {
    /// `tokenAssertion`: where the template has an STR-Transform reference, the assertion it signs.
    package static func sign(_ signature: XMLElement, with key: SignatureKey, tokenAssertion: XMLElement? = nil) throws(SignatureError) {
        LibXMLRuntime.ensureInitialised()
        guard LibXMLRuntime.xmlsecReady else { throw .unavailable }
        let rc = cxmlsec_sign_with_assertion(UnsafeMutableRawPointer(signature.raw), key.raw, tokenAssertion.map { UnsafeMutableRawPointer($0.raw) })
        guard rc == 0 else { throw .notVerified("signing failed") }
    }
}
