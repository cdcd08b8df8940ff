import Foundation
import SOAPCodec

/// Reads a SOAP fault or receipt reply the way a client would, by namespace.
package struct ReplyReader {
    package let text: String

    package init(_ bytes: [UInt8]) { text = String(decoding: bytes, as: UTF8.self) }

    /// `sp:Fejl/sp:Kode` of a fault reply, or nil.
    package var faultCode: String? { element("urn:serviceplatform:fault:1", "Kode") }

    /// The first `spf:ErrorCode`, which must equal `faultCode`.
    package var serviceplatformFaultCode: String? { element("http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/", "ErrorCode") }

    /// `kh:Kvittering/kh:Status` of a receipt reply, or nil.
    package var receiptStatus: String? { element("urn:serviceplatform:jc:kontanthjaelp:2", "Status") }

    package func element(_ namespace: String, _ local: String) -> String? {
        guard let doc = try? XMLDocument(parsing: Array(text.utf8)), let root = doc.root else { return nil }
        return Self.find(root, QualifiedName(namespace, local))
    }

    private static func find(_ element: XMLElement, _ name: QualifiedName) -> String? {
        if element.is(name) { return element.text }
        for child in element.children { if let found = find(child, name) { return found } }
        return nil
    }
}
