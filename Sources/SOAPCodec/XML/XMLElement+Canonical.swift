import CLibXML2
import CXMLShims

extension XMLElement {
    /// The exclusive canonical form of this element and its subtree, comments kept. Two
    /// elements with equal forms carry the same signed content wherever they sit, which is what
    /// lets a signature verdict be remembered by the digest of this form.
    package func exclusiveCanonicalForm() -> [UInt8]? {
        var output: UnsafeMutablePointer<UInt8>?
        let length = cxmlshims_exclusive_c14n(UnsafeMutableRawPointer(document.raw), UnsafeMutableRawPointer(raw), &output)
        guard length >= 0, let output else { return nil }
        defer { cxmlshims_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }
}
