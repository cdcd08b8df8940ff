import CLibXML2
import CXMLShims
import Synchronization

/// A W3C XML Schema compiled once at start-up from a file of ours and shared by every request;
/// each validation gets its own libxml2 context, which is what makes the sharing safe.
package final class XMLSchema: @unchecked Sendable {
    // Immutable after init; libxml2 only reads a compiled schema during validation.
    private let schema: xmlSchemaPtr

    /// Why a schema file could not be compiled (a deployment error, not a request error).
    package struct CompileError: Error, Sendable, CustomStringConvertible {
        package let path: String
        package var description: String { "the schema \(path) could not be compiled" }
    }

    /// Compiles `path`; imports are resolved relative to it and must lie below `importsUnder`
    /// (the only files libxml2 may open).
    package init(path: String, importsUnder directory: String) throws(CompileError) {
        LibXMLRuntime.ensureInitialised()
        // One compilation at a time, with the loader's directory set inside the same lock:
        // libxml2 2.9's schema parser is not safe to run on several threads at once, and setting
        // the directory while another compilation loads an import made that import fail (both
        // seen as random failures when test platforms start in parallel).
        let compiled = Self.compiling.withLock { _ -> xmlSchemaPtr? in
            LibXMLRuntime.allowSchemaFiles(under: directory)
            guard let parser = xmlSchemaNewParserCtxt(path) else { return nil }
            defer { xmlSchemaFreeParserCtxt(parser) }
            clibxml2_silence_schema_parser(parser)
            return xmlSchemaParse(parser)
        }
        guard let compiled else { throw CompileError(path: path) }
        schema = compiled
    }

    private static let compiling = Mutex<Void>(())

    deinit { xmlSchemaFree(schema) }

    /// Validates one element subtree; the result names the first offending element, never its value.
    package func validate(_ element: XMLElement) -> SchemaVerdict {
        guard let context = xmlSchemaNewValidCtxt(schema) else { return .invalid(element: element.localName) }
        defer { xmlSchemaFreeValidCtxt(context) }
        var first = cxmlshims_first_error()
        let status = withUnsafeMutablePointer(to: &first) { pointer -> Int32 in
            cxmlshims_capture_schema_errors(UnsafeMutableRawPointer(context), pointer)
            return xmlSchemaValidateOneElement(context, element.raw)
        }
        if status == 0 { return .valid }
        let name = withUnsafeBytes(of: first.element) { raw -> String in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
        return .invalid(element: name.isEmpty ? element.localName : name)
    }
}

/// The outcome of schema validation.
package enum SchemaVerdict: Sendable, Equatable {
    case valid
    /// The local name of the first element that broke the schema.
    case invalid(element: String)
}
