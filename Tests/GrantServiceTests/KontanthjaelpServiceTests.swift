import Foundation
import GrantService
import PlatformTestSupport
import ServicePlatform
import SOAPCodec
import Testing

/// Shared compiled schema: compiled once per test process, as the server does at start-up.
let sharedService: KontanthjaelpService = KontanthjaelpService(schema: try! KontanthjaelpSchema(wsdlDirectory: TestPaths.wsdlDirectory))

func decode(_ payload: String, operation: ServiceOperation = Kontanthjaelp.retBevilling) throws(PlatformFault) -> ValidatedRequest {
    let doc: XMLDocument
    do { doc = try XMLDocument(parsing: Array(payload.utf8)) } catch { throw PlatformFault(.malformedRequest, "parse") }
    let root = doc.root!
    try RequestContexts(of: root).normalizeOrderForSchema()
    return try sharedService.decodeRequest(root, operation: operation, today: CalendarDate(year: 2026, month: 11, day: 28)!)
}

@Suite("Schema, decoding and business rules of JC/Kontanthjaelp/2")
struct KontanthjaelpServiceTests {
    @Test("every fixture request decodes", arguments: ["ret-bevilling.xml", "ret-bevilling-minimal.xml", "ret-bevilling-stoppet.xml", "ret-bevilling-swapped-context.xml"])
    func fixturesDecode(_ name: String) throws {
        let request = try decode(SampleMessages.element(name))
        #expect(request.municipalityCode.rawValue == "101")
        #expect(request.operation == Kontanthjaelp.retBevilling)
        #expect(!request.forwardElement.contains("AuthorityContext"))
    }

    @Test("SletBevilling decodes and is stamped with today's date")
    func sletDecodes() throws {
        let request = try decode(SampleMessages.element("slet-bevilling.xml"), operation: Kontanthjaelp.sletBevilling)
        #expect(request.deletionDate == CalendarDate(year: 2026, month: 11, day: 28))
    }

    @Test("the forwarded element is itself schema-valid and keeps header and body")
    func forwardIsValid() throws {
        let request = try decode(SampleMessages.element("ret-bevilling.xml"))
        let again = try decode(request.forwardElement)
        #expect(again.forwardElement == request.forwardElement)
        #expect(request.forwardElement.contains("<kh:CPRNummer>0101901234</kh:CPRNummer>"))
        #expect(request.forwardElement.contains("<kh:SagID>JC-KBH-2026-004512</kh:SagID>"))
    }

    @Test("forwarded as received: a date's time zone and a string's spaces unchanged; contexts, comments and processing instructions left out")
    func forwardAsReceived() throws {
        let payload = SampleMessages.retBevilling {
            $0.replacingOccurrences(of: "<kh:AfgoerelsesDato>2026-11-27<", with: "<kh:AfgoerelsesDato>2026-11-27+01:00<")
                .replacingOccurrences(of: "<kh:SagID>JC-KBH-2026-004512<", with: "<kh:SagID> JC-KBH-2026-004512 <")
                .replacingOccurrences(of: "<kh:Status>", with: "<!-- internal note: 0101901234 --><?app-hint x?><kh:Status>")
        }
        let request = try decode(payload)
        let forwarded = request.forwardElement
        #expect(forwarded.contains("<kh:AfgoerelsesDato>2026-11-27+01:00</kh:AfgoerelsesDato>"))
        #expect(forwarded.contains("<kh:SagID> JC-KBH-2026-004512 </kh:SagID>"))
        #expect(!forwarded.contains("internal note") && !forwarded.contains("app-hint"))
        #expect(!forwarded.contains("CallContext") && !forwarded.contains("AuthorityContext") && !forwarded.contains("KBH-SAGSBEH-4711"))
        // Self-contained: it parses on its own, passes the schema again, and declares only the namespace it uses.
        let again = try decode(forwarded)
        #expect(again.forwardElement == forwarded)
        #expect(forwarded.hasPrefix(#"<kh:RetBevillingRequest xmlns:kh="urn:serviceplatform:jc:kontanthjaelp:2">"#))
        // The same content in another form (spacing, prefix) is the same content for idempotency.
        let plain = try decode(SampleMessages.retBevilling(beskedID: request.messageID, bevillingID: "3f2b8c1e-7a4d-4e0b-9c61-2d5a8e47b913"))
        let reprefixed = try decode(plain.forwardElement.replacingOccurrences(of: "kh:", with: "k:").replacingOccurrences(of: "xmlns:kh", with: "xmlns:k"))
        #expect(reprefixed.forwardElement != plain.forwardElement)
        #expect(reprefixed.contentDigest == plain.contentDigest)
    }

    @Test("the CPR number never shows in descriptions")
    func cprRedacted() throws {
        let request = try decode(SampleMessages.element("ret-bevilling.xml"))
        #expect("\(request.personalIdentifier)" == "CPR(redacted)")
        #expect(!String(describing: request.personalIdentifier).contains("0101901234"))
    }

    static let enumerationViolations: [(String, String, String)] = [
        ("<kh:Ydelsestype>Kontanthjaelp</kh:Ydelsestype>", "<kh:Ydelsestype>Boligstoette</kh:Ydelsestype>", "Ydelsestype"),
        ("<kh:Status>Afgjort</kh:Status>", "<kh:Status>Afgjrot</kh:Status>", "Status"),
        ("<kh:Myndighedskode>101</kh:Myndighedskode>", "<kh:Myndighedskode>10A</kh:Myndighedskode>", "Myndighedskode"),
        ("<kh:CPRNummer>0101901234</kh:CPRNummer>", "<kh:CPRNummer>010190-1234</kh:CPRNummer>", "CPRNummer"),
        ("<kh:BeskedTidspunkt>2026-11-28T10:00:00+01:00</kh:BeskedTidspunkt>", "<kh:BeskedTidspunkt>2026-11-28T10:00:00</kh:BeskedTidspunkt>", "BeskedTidspunkt"),
        ("<kh:AfgoerelsesDato>2026-11-27</kh:AfgoerelsesDato>", "<kh:AfgoerelsesDato>27-11-2026</kh:AfgoerelsesDato>", "AfgoerelsesDato"),
        ("<ac:MunicipalityCVR>64942212</ac:MunicipalityCVR>", "<ac:MunicipalityCVR>6494221</ac:MunicipalityCVR>", "MunicipalityCVR"),
        ("<kh:AfsenderSystem>KY</kh:AfsenderSystem>", "<kh:AfsenderSystem></kh:AfsenderSystem>", "AfsenderSystem"),
    ]

    @Test("each enumeration or pattern violated is SP-1002 naming the element", arguments: enumerationViolations)
    func enumerationViolated(_ find: String, _ replace: String, _ element: String) throws {
        let payload = SampleMessages.retBevilling { $0.replacingOccurrences(of: find, with: replace) }
        #expect(payload.contains(replace))
        let error = #expect(throws: PlatformFault.self) { try decode(payload) }
        #expect(error?.code == .schemaViolation)
        #expect(error?.text.contains(element) == true)
    }

    static let requiredElements = ["BeskedID", "BeskedTidspunkt", "AfsenderSystem", "Myndighedskode", "CPRNummer",
                                   "BevillingID", "Ydelsestype", "Status", "AfgoerelsesDato", "FraDato"]

    @Test("each required element missing is SP-1002", arguments: requiredElements)
    func requiredMissing(_ element: String) throws {
        let payload = SampleMessages.retBevilling { text in
            guard let start = text.range(of: "<kh:\(element)>"), let end = text.range(of: "</kh:\(element)>") else { return text }
            var edited = text
            edited.removeSubrange(start.lowerBound..<end.upperBound)
            return edited
        }
        #expect(!payload.contains("<kh:\(element)>"))
        let error = #expect(throws: PlatformFault.self) { try decode(payload) }
        #expect(error?.code == .schemaViolation)
    }

    @Test("a missing Header or Body element is SP-1002", arguments: ["Header", "Body"])
    func structureMissing(_ element: String) throws {
        let payload = SampleMessages.retBevilling { text in
            guard let start = text.range(of: "<kh:\(element)>"), let end = text.range(of: "</kh:\(element)>") else { return text }
            var edited = text
            edited.removeSubrange(start.lowerBound..<end.upperBound)
            return edited
        }
        let error = #expect(throws: PlatformFault.self) { try decode(payload) }
        #expect(error?.code == .schemaViolation)
    }

    @Test("an unknown element in the body is SP-1002")
    func unknownElement() {
        let payload = SampleMessages.retBevilling { $0.replacingOccurrences(of: "<kh:Status>", with: "<kh:Evil>x</kh:Evil><kh:Status>") }
        let error = #expect(throws: PlatformFault.self) { try decode(payload) }
        #expect(error?.code == .schemaViolation)
    }

    @Test("a CallContext value over 255 characters is SP-1002")
    func callContextTooLong() {
        let long = String(repeating: "x", count: 256)
        let payload = SampleMessages.retBevilling { $0.replacingOccurrences(of: "KBH-SAGSBEH-4711", with: long) }
        let error = #expect(throws: PlatformFault.self) { try decode(payload) }
        #expect(error?.code == .schemaViolation)
    }

    static let ruleViolations: [(String, String, String)] = [
        ("<kh:Status>Afgjort</kh:Status>", "<kh:Status>Ansoegt</kh:Status>", "Status"),
        ("<kh:Status>Afgjort</kh:Status>", "<kh:Status>Afslaaet</kh:Status>", "Status"),
        ("<kh:TilDato>2027-05-31</kh:TilDato>", "<kh:TilDato>2026-11-30</kh:TilDato>", "TilDato"),
        ("<kh:CPRNummer>0101901234</kh:CPRNummer>", "<kh:CPRNummer>3102901234</kh:CPRNummer>", "CPRNummer"),
        ("<kh:CPRNummer>0101901234</kh:CPRNummer>", "<kh:CPRNummer>0113901234</kh:CPRNummer>", "CPRNummer"),
    ]

    @Test("each business rule broken is SP-1003 naming the element", arguments: ruleViolations)
    func ruleBroken(_ find: String, _ replace: String, _ element: String) {
        let payload = SampleMessages.retBevilling { $0.replacingOccurrences(of: find, with: replace) }
        let error = #expect(throws: PlatformFault.self) { try decode(payload) }
        #expect(error?.code == .businessRule)
        #expect(error?.text.contains(element) == true)
    }

    @Test("Stoppet without TilDato is SP-1003")
    func stoppetNeedsTilDato() {
        let payload = SampleMessages.retBevilling {
            $0.replacingOccurrences(of: "<kh:Status>Afgjort</kh:Status>", with: "<kh:Status>Stoppet</kh:Status>")
                .replacingOccurrences(of: "<kh:TilDato>2027-05-31</kh:TilDato>", with: "")
        }
        let error = #expect(throws: PlatformFault.self) { try decode(payload) }
        #expect(error?.code == .businessRule)
        #expect(error?.text.contains("TilDato") == true)
    }

    @Test("29 February is a valid CPR date in a leap year")
    func leapDay() throws {
        let payload = SampleMessages.retBevilling { $0.replacingOccurrences(of: "0101901234", with: "2902001234") }
        _ = try decode(payload)
    }
}

@Suite("Receipts")
struct KvitteringTests {
    func receipt(_ text: String) throws(PlatformFault) -> ReceiverReceipt {
        let doc = try! XMLDocument(parsing: Array(text.utf8))
        return try KvitteringXML.decode(doc.root!)
    }

    @Test("the receipt fixtures decode")
    func fixtures() throws {
        #expect(try receipt(SampleMessages.element("kvittering-modtaget.xml")).status == .received)
        let afvist = try receipt(SampleMessages.element("kvittering-afvist.xml"))
        #expect(afvist.status == .rejected)
        #expect(afvist.errors.count == 1)
    }

    @Test("a receipt without Status is SP-3003")
    func noStatus() {
        let text = SampleMessages.element("kvittering-modtaget.xml").replacingOccurrences(of: "<kh:Status>Modtaget</kh:Status>", with: "")
        let error = #expect(throws: PlatformFault.self) { try receipt(text) }
        #expect(error?.code == .invalidReceipt)
    }

    @Test("ModtagetTidspunkt in the schema's forms: fractional seconds and an offset (as .NET writes it), or no zone (Danish time)",
          arguments: [("2026-11-29T04:37:42.1234567+01:00", 0.1234567), ("2026-11-29T04:37:42", 0.0)])
    func receiptTimes(_ written: String, _ fraction: Double) throws {
        let text = SampleMessages.element("kvittering-modtaget.xml")
            .replacing(/<kh:ModtagetTidspunkt>[^<]*</, with: "<kh:ModtagetTidspunkt>\(written)<")
        let decoded = try receipt(text)
        let expected = try Date("2026-11-29T03:37:42Z", strategy: .iso8601).addingTimeInterval(fraction)
        #expect(abs(try #require(decoded.receivedAt).timeIntervalSince(expected)) < 1e-6)
    }

    @Test("every Fejl of an Afvist receipt is kept, not only the first ones (0..n)")
    func manyErrors() throws {
        let fejl = (1...45).map { "<kh:Fejl><kh:Kode>JC-\($0)</kh:Kode><kh:Tekst>grund \($0)</kh:Tekst></kh:Fejl>" }.joined()
        let text = SampleMessages.element("kvittering-modtaget.xml")
            .replacingOccurrences(of: "<kh:Status>Modtaget</kh:Status>", with: "<kh:Status>Afvist</kh:Status>" + fejl)
        let decoded = try receipt(text)
        #expect(decoded.errors.count == 45)
        #expect(decoded.errors.last == .init(code: "JC-45", text: "grund 45"))
    }

    @Test("an encoded receipt round-trips and is schema-valid")
    func roundTrip() throws {
        let original = Receipt(messageID: UUID().uuidString.lowercased(), transactionID: TransactionID(), status: .rejected,
                               errors: [.init(code: "JC-1", text: "<nej> & nej")], receiverSystem: "jc", receivedAt: Date())
        let xml = KvitteringXML.encode(original, operation: Kontanthjaelp.sletBevilling)
        let decoded = try receipt(xml)
        #expect(decoded.status == .rejected)
        #expect(decoded.errors == original.errors)
        #expect(decoded.messageID == original.messageID)
    }
}
