import SOAPCodec
import ServicePlatform

extension GrantRequest {
    /// Decodes a schema-valid request element of `operation`.
    package init(decoding element: XMLElement, operation: ServiceOperation) throws(PlatformFault) {
        let request = ElementReader(element)
        let header = try MessageHeader(decoding: try request.child("Header"))
        let body = try request.child("Body")
        if operation == Kontanthjaelp.retBevilling {
            let b = try body.child("Bevilling")
            let virkning = try b.child("Virkning")
            self = .ret(RetBevilling(header: header, bevilling: Bevilling(
                bevillingID: try b.text("BevillingID"),
                ydelsestype: try b.enumeration("Ydelsestype", as: Bevilling.Ydelsestype.self),
                status: try b.enumeration("Status", as: Bevilling.Status.self),
                afgoerelsesDato: try b.date("AfgoerelsesDato"),
                fraDato: try virkning.date("FraDato"),
                tilDato: try virkning.optionalDate("TilDato"),
                sagID: b.optionalChild("Jobcentersag")?.optionalText("SagID"),
                kontaktforloebID: b.optionalChild("Kontaktforloeb")?.optionalText("KontaktforloebID"))))
        } else {
            self = .slet(SletBevilling(
                header: header,
                bevillingID: try body.text("BevillingID"),
                sagID: body.optionalChild("Jobcentersag")?.optionalText("SagID"),
                kontaktforloebID: body.optionalChild("Kontaktforloeb")?.optionalText("KontaktforloebID")))
        }
    }

    /// Header and body as the platform understood them, in one fixed form: what "the same
    /// content" means for idempotency, whatever prefixes, spacing or comments a retry has.
    package var contentMarkup: String { markup(contexts: "") }

    /// The request element as a caller sends it: AuthorityContext (when given) and CallContext
    /// values before header and body.
    package func callerMarkup(authorityCVR: String?, callContext: [(String, String)] = []) -> String {
        var w = XMLWriter()
        if !callContext.isEmpty {
            w.open("cc:CallContext", namespaces: [("cc", RequestContexts.callContextNamespace)])
            for (name, value) in callContext { w.element("cc:" + name, value) }
            w.close("cc:CallContext")
        }
        if let authorityCVR {
            w.open("ac:AuthorityContext", namespaces: [("ac", RequestContexts.authorityContextNamespace)])
            w.element("ac:MunicipalityCVR", authorityCVR)
            w.close("ac:AuthorityContext")
        }
        return markup(contexts: w.output)
    }

    private func markup(contexts: String) -> String {
        var w = XMLWriter()
        switch self {
        case .ret(let ret):
            w.open("kh:RetBevillingRequest", namespaces: [("kh", Kontanthjaelp.namespace)])
            w.raw(contexts)
            ret.header.write(to: &w)
            w.open("kh:Body")
            let b = ret.bevilling
            w.open("kh:Bevilling")
            w.element("kh:BevillingID", b.bevillingID)
            w.element("kh:Ydelsestype", b.ydelsestype.rawValue)
            w.element("kh:Status", b.status.rawValue)
            w.element("kh:AfgoerelsesDato", b.afgoerelsesDato.description)
            w.open("kh:Virkning")
            w.element("kh:FraDato", b.fraDato.description)
            w.element("kh:TilDato", ifPresent: b.tilDato?.description)
            w.close("kh:Virkning")
            Self.writeReferences(sagID: b.sagID, kontaktforloebID: b.kontaktforloebID, to: &w)
            w.close("kh:Bevilling")
            w.close("kh:Body")
            w.close("kh:RetBevillingRequest")
        case .slet(let slet):
            w.open("kh:SletBevillingRequest", namespaces: [("kh", Kontanthjaelp.namespace)])
            w.raw(contexts)
            slet.header.write(to: &w)
            w.open("kh:Body")
            w.element("kh:BevillingID", slet.bevillingID)
            Self.writeReferences(sagID: slet.sagID, kontaktforloebID: slet.kontaktforloebID, to: &w)
            w.close("kh:Body")
            w.close("kh:SletBevillingRequest")
        }
        return w.output
    }

    private static func writeReferences(sagID: String?, kontaktforloebID: String?, to w: inout XMLWriter) {
        if let sagID {
            w.open("kh:Jobcentersag")
            w.element("kh:SagID", sagID)
            w.close("kh:Jobcentersag")
        }
        if let kontaktforloebID {
            w.open("kh:Kontaktforloeb")
            w.element("kh:KontaktforloebID", kontaktforloebID)
            w.close("kh:Kontaktforloeb")
        }
    }
}

extension MessageHeader {
    init(decoding header: ElementReader) throws(PlatformFault) {
        guard let code = Myndighedskode(try header.text("Myndighedskode")) else {
            throw PlatformFault(.schemaViolation, "Myndighedskode must be three digits")
        }
        guard let cpr = CPRNummer(try header.text("CPRNummer")) else {
            throw PlatformFault(.schemaViolation, "CPRNummer must be ten digits")
        }
        self.init(beskedID: try header.text("BeskedID"), beskedTidspunkt: try header.text("BeskedTidspunkt"),
                  afsenderSystem: try header.text("AfsenderSystem"), myndighedskode: code, cprNummer: cpr)
    }

    func write(to w: inout XMLWriter) {
        w.open("kh:Header")
        w.element("kh:BeskedID", beskedID)
        w.element("kh:BeskedTidspunkt", beskedTidspunkt)
        w.element("kh:AfsenderSystem", afsenderSystem)
        w.element("kh:Myndighedskode", myndighedskode.rawValue)
        cprNummer.identifier.withDigits { w.element("kh:CPRNummer", $0) }
        w.close("kh:Header")
    }
}
