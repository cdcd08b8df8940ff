/// Who called and for which municipality, as a security model established it.
package struct CallerIdentity: Sendable, Equatable {
    /// The calling system's id (anvendersystem).
    package let systemID: String
    /// SHA-256 of the certificate's DER, lowercase hex, when a certificate identified the caller.
    package let certificateFingerprint: String?
    package let securityModel: SecurityModelKind
    /// The municipality on whose behalf the system calls.
    package let municipalityCVR: MunicipalityCVR
    /// What the model learned of the caller's credentials that the audit record keeps: under
    /// SAML, the assertion's id, issuer and other attributes (AssuranceLevel, SpecVer, ...).
    package let modelDetails: [String: String]

    package init(systemID: String, certificateFingerprint: String?, securityModel: SecurityModelKind, municipalityCVR: MunicipalityCVR,
                 modelDetails: [String: String] = [:]) {
        self.systemID = systemID
        self.certificateFingerprint = certificateFingerprint
        self.securityModel = securityModel
        self.municipalityCVR = municipalityCVR
        self.modelDetails = modelDetails
    }
}
