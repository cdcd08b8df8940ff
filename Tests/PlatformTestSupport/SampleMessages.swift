import Foundation

/// Request messages built from the fixtures in `Tests/Fixtures/messages`, wrapped in envelopes.
package enum SampleMessages {
    package static let soap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/"
    package static let soap12Namespace = "http://www.w3.org/2003/05/soap-envelope"
    package static let retAction = "urn:serviceplatform:jc:kontanthjaelp:2:RetBevilling"
    package static let sletAction = "urn:serviceplatform:jc:kontanthjaelp:2:SletBevilling"

    /// A fixture's request element without its XML declaration.
    package static func element(_ fixture: String) -> String {
        var text = TestPaths.fixture(fixture)
        if text.hasPrefix("<?xml"), let end = text.range(of: "?>") { text = String(text[end.upperBound...]) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The fixture's element in a SOAP 1.1 (or 1.2) envelope.
    package static func envelope(_ payload: String, soap12: Bool = false, header: String = "") -> String {
        let ns = soap12 ? soap12Namespace : soap11Namespace
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"\(ns)\">"
            + (header.isEmpty ? "" : "<soap:Header>\(header)</soap:Header>")
            + "<soap:Body>\(payload)</soap:Body></soap:Envelope>"
    }

    /// `ret-bevilling.xml` with fresh BeskedID and BevillingID, optionally edited.
    package static func retBevilling(beskedID: String = UUID().uuidString.lowercased(),
                                     bevillingID: String = UUID().uuidString.lowercased(),
                                     _ edit: (String) -> String = { $0 }) -> String {
        edit(element("ret-bevilling.xml")
            .replacingOccurrences(of: "8d0f6a52-1c3e-4b7a-a9d4-5e21f0c8b7a6", with: beskedID)
            .replacingOccurrences(of: "3f2b8c1e-7a4d-4e0b-9c61-2d5a8e47b913", with: bevillingID))
    }

    /// `slet-bevilling.xml` with fresh BeskedID and the given BevillingID.
    package static func sletBevilling(beskedID: String = UUID().uuidString.lowercased(), bevillingID: String) -> String {
        var text = element("slet-bevilling.xml").replacingOccurrences(of: "3f2b8c1e-7a4d-4e0b-9c61-2d5a8e47b913", with: bevillingID)
        if let range = text.range(of: "<kh:BeskedID>"), let end = text.range(of: "</kh:BeskedID>") {
            text.replaceSubrange(range.upperBound..<end.lowerBound, with: beskedID)
        }
        return text
    }
}
