import CLibXML2
import Glibc

/// A view of one element inside an `XMLDocument`; it keeps the document alive and compares
/// names by namespace URI, never by prefix.
package struct XMLElement {
    package let document: XMLDocument
    let raw: xmlNodePtr

    init(document: XMLDocument, raw: xmlNodePtr) {
        self.document = document
        self.raw = raw
    }

    package var localName: String { String(cString: raw.pointee.name) }

    package var namespace: String? {
        guard let ns = raw.pointee.ns, let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    package var name: QualifiedName { QualifiedName(namespace ?? "", localName) }

    package func `is`(_ name: QualifiedName) -> Bool { Self.node(raw, is: name) }

    /// Compares libxml2's own name and namespace bytes with `name`, without making Swift strings
    /// of them: child look-ups run a few dozen times per call, and two string allocations per
    /// compared child showed in the profile.
    static func node(_ node: xmlNodePtr, is name: QualifiedName) -> Bool {
        equal(node.pointee.name, name.localName) && equal(node.pointee.ns?.pointee.href, name.namespace)
    }

    /// Byte equality of a NUL-terminated libxml2 string (nil counts as empty) and a Swift string.
    /// `strnlen` first, so `memcmp` never reads past libxml2's NUL; both are libc's vector code
    /// (namespace URIs are ~40 bytes and a call compares dozens).
    private static func equal(_ c: UnsafePointer<xmlChar>?, _ text: String) -> Bool {
        guard let c else { return text.isEmpty }
        let same = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let base = bytes.baseAddress else { return c[0] == 0 }
            return c.withMemoryRebound(to: CChar.self, capacity: bytes.count + 1) { strnlen($0, bytes.count + 1) } == bytes.count
                && memcmp(c, base, bytes.count) == 0
        }
        return same ?? (String(cString: c) == text)
    }

    /// The element children, in document order.
    package var children: [XMLElement] {
        var result: [XMLElement] = []
        var node = raw.pointee.children
        while let current = node {
            if current.pointee.type == XML_ELEMENT_NODE {
                result.append(XMLElement(document: document, raw: current))
            }
            node = current.pointee.next
        }
        return result
    }

    /// True when the element has non-whitespace text, CDATA, an entity reference or a
    /// processing instruction among its direct children (used to refuse stray content).
    /// Whitespace is XML's own (space, tab, CR, LF), read off the bytes: Unicode's wider
    /// idea of it (a no-break space, U+2028) is character content to XML and SOAP.
    package var hasNonElementContent: Bool {
        var node = raw.pointee.children
        while let current = node {
            switch current.pointee.type {
            case XML_ELEMENT_NODE, XML_COMMENT_NODE:
                break
            case XML_TEXT_NODE:
                if var byte = current.pointee.content {
                    while byte.pointee != 0 {
                        switch byte.pointee {
                        case 0x20, 0x09, 0x0D, 0x0A: byte += 1
                        default: return true
                        }
                    }
                }
            default:
                return true
            }
            node = current.pointee.next
        }
        return false
    }

    package func children(named name: QualifiedName) -> [XMLElement] {
        var result: [XMLElement] = []
        var found = Self.element(named: name, from: raw.pointee.children)
        while let current = found {
            result.append(XMLElement(document: document, raw: current))
            found = Self.element(named: name, from: current.pointee.next)
        }
        return result
    }

    /// The first element child named `name`; walks libxml2's list without building `children`.
    package func child(named name: QualifiedName) -> XMLElement? {
        Self.element(named: name, from: raw.pointee.children).map { XMLElement(document: document, raw: $0) }
    }

    /// The first element named `name` among `node` and its following siblings.
    private static func element(named name: QualifiedName, from node: xmlNodePtr?) -> xmlNodePtr? {
        var node = node
        while let current = node {
            if current.pointee.type == XML_ELEMENT_NODE, Self.node(current, is: name) { return current }
            node = current.pointee.next
        }
        return nil
    }

    /// The whole text content (all descendant text, comments excluded), as libxml2 computes it.
    /// Reading the whole content rather than the first text node is what defeats comment
    /// truncation tricks.
    package var text: String {
        guard let content = xmlNodeGetContent(raw) else { return "" }
        defer { clibxml2_free(content) }
        return String(cString: content)
    }

    /// An attribute without namespace.
    package func attribute(_ name: String) -> String? {
        guard let value = xmlGetNoNsProp(raw, name) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }

    /// An attribute in a namespace.
    package func attribute(_ name: String, namespace: String) -> String? {
        guard let value = xmlGetNsProp(raw, name, namespace) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }

    /// True when this and `other` are the very same node (not merely equal).
    package func isSameNode(as other: XMLElement) -> Bool { raw == other.raw }
}

@available(*, unavailable) extension XMLElement: Sendable {}

extension XMLElement {
    /// True when this element is an earlier sibling of `other`.
    package func precedes(_ other: XMLElement) -> Bool {
        var node = raw.pointee.next
        while let current = node {
            if current == other.raw { return true }
            node = current.pointee.next
        }
        return false
    }

    /// Moves this element (with its subtree) to just before `sibling`. Only for reordering
    /// elements whose order carries no meaning, such as the context elements.
    package func move(before sibling: XMLElement) {
        xmlUnlinkNode(raw)
        xmlAddPrevSibling(sibling.raw, raw)
    }
}

extension XMLElement {
    /// Makes the attribute `localName` (in `namespace`, or none) of this element an XML ID, so
    /// that `#value` references resolve to this very element. Refuses when the value is already
    /// an ID elsewhere (which would let a reference resolve to another node).
    package func registerID(attribute localName: String, namespace: String?) -> Bool {
        let attribute: xmlAttrPtr? = namespace.map { xmlHasNsProp(raw, localName, $0) } ?? xmlHasNsProp(raw, localName, nil)
        guard let attribute, let value = self.attribute(localName, namespaceOrNone: namespace) else { return false }
        guard xmlGetID(document.raw, value) == nil else { return false }
        guard xmlAddID(nil, document.raw, value, attribute) != nil else { return false }
        return xmlGetID(document.raw, value) == attribute
    }

    func attribute(_ name: String, namespaceOrNone namespace: String?) -> String? {
        namespace.map { attribute(name, namespace: $0) } ?? attribute(name)
    }

    /// Every attribute whose local name is `Id`, `ID` or `id`, in any namespace, in this subtree:
    /// ids must be unique document-wide before any is registered.
    package func allIDValues() -> [String] {
        var values: [String] = []
        var stack: [xmlNodePtr] = [raw]
        while let node = stack.popLast() {
            var attribute = node.pointee.properties
            while let current = attribute {
                let name = String(cString: current.pointee.name)
                if name == "Id" || name == "ID" || name == "id", let content = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self)) {
                    values.append(String(cString: content))
                    clibxml2_free(content)
                }
                attribute = current.pointee.next
            }
            var child = node.pointee.children
            while let c = child {
                if c.pointee.type == XML_ELEMENT_NODE { stack.append(c) }
                child = c.pointee.next
            }
        }
        return values
    }

    /// The element serialized as it stands (namespace declarations of ancestors are not added).
    package func serialized() -> String {
        guard let buffer = xmlBufferCreate() else { return "" }
        defer { xmlBufferFree(buffer) }
        _ = xmlNodeDump(buffer, document.raw, raw, 0, 0)
        return String(cString: xmlBufferContent(buffer))
    }

    /// The parent element, if any.
    package var parent: XMLElement? {
        guard let p = raw.pointee.parent, p.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLElement(document: document, raw: p)
    }
}
