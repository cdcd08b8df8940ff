import CLibXML2

/// A parsed untrusted document. It owns its libxml2 tree and frees it once; it is built only
/// after `XMLPreScan` passed, with network access, entity substitution, DTD loading and
/// XInclude all off.
package final class XMLDocument {
    let raw: xmlDocPtr

    /// Parses `bytes` after the linear pre-scan; throws for anything libxml2 finds wrong.
    /// `editable` is for a template this process wrote and will change (xmlsec fills in a
    /// signature): without it, short text is stored inside its node (libxml2's COMPACT, ~2 % of
    /// the call's instructions in fewer allocations), and such text must not be changed after.
    /// Moving whole elements and registering ids remain fine either way.
    package init(parsing bytes: [UInt8], limits: XMLLimits = .standard, editable: Bool = false) throws(XMLParseError) {
        LibXMLRuntime.ensureInitialised()
        try XMLPreScan(limits: limits).check(bytes)
        // NONET: never fetch; NOCDATA: CDATA as text; NOERROR/NOWARNING: libxml2 prints nothing (its printer is per thread). Never NOENT, DTDLOAD, DTDATTR, HUGE, RECOVER, XINCLUDE.
        var options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        if !editable { options |= Int32(XML_PARSE_COMPACT.rawValue) }
        // The pre-scan let through only valid UTF-8 that declares no other encoding, so libxml2's
        // own detection finds UTF-8, or nothing, which it reads as UTF-8. Its detection reads
        // UTF-16 or UCS-4 only from NULs among the first four bytes; the pre-scan already refuses
        // such documents when they start with a declaration, and for any other, UTF-8 is forced
        // here. Forcing it always ran every document through libxml2's UTF-8 to UTF-8 converter,
        // chunk by chunk: ~9 000 instructions per parse (callgrind, two parses a call).
        let encoding: String? = bytes.prefix(4).contains(0) ? "UTF-8" : nil
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                xmlReadMemory(chars.baseAddress, Int32(chars.count), nil, encoding, options)
            }
        }
        guard let doc = parsed else { throw .notWellFormed }
        guard doc.pointee.intSubset == nil, doc.pointee.extSubset == nil else {
            xmlFreeDoc(doc)
            throw .doctypeNotAllowed
        }
        raw = doc
    }

    deinit { xmlFreeDoc(raw) }

    /// The document element.
    package var root: XMLElement? {
        guard let node = xmlDocGetRootElement(raw) else { return nil }
        return XMLElement(document: self, raw: node)
    }
}

@available(*, unavailable) extension XMLDocument: Sendable {}
