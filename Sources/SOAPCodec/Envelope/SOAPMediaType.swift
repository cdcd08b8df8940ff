/// The SOAP version and action a request declares in its HTTP headers.
package struct SOAPMediaType: Sendable, Equatable {
    package let version: SOAPVersion
    /// SOAP 1.1 `SOAPAction` header or SOAP 1.2 `action` parameter, unquoted; nil or empty when absent.
    package let action: String?

    package init(version: SOAPVersion, action: String?) {
        self.version = version
        self.action = action
    }

    /// Reads `Content-Type` (and, for SOAP 1.1, `SOAPAction`); nil for a media type that is not SOAP,
    /// or a charset other than UTF-8.
    package init?(contentType: String?, soapAction: String?) {
        guard let contentType else { return nil }
        // What nearly every SOAP 1.1 client sends, read without taking it apart.
        if contentType == "text/xml; charset=utf-8" || contentType == "text/xml; charset=UTF-8" {
            self.init(soap11Action: soapAction)
            return
        }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
        guard let type = parts.first?.lowercased() else { return nil }
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let key = part[..<eq].trimmingCharacters(in: " \t").lowercased()
            var value = part[part.index(after: eq)...].trimmingCharacters(in: " \t")
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parameters[key] = value
        }
        if let charset = parameters["charset"]?.lowercased(), charset != "utf-8", charset != "utf8" { return nil }
        switch type {
        case "text/xml":
            self.init(soap11Action: soapAction)
        case "application/soap+xml":
            self.init(version: .soap12, action: parameters["action"].flatMap { $0.isEmpty ? nil : $0 })
        default:
            return nil
        }
    }

    /// SOAP 1.1: the action is the `SOAPAction` header, unquoted.
    private init(soap11Action soapAction: String?) {
        self.init(version: .soap11, action: soapAction.map(Self.unquote).flatMap { $0.isEmpty ? nil : $0 })
    }

    private static func unquote(_ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: " \t")
        if trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") { return String(trimmed.dropFirst().dropLast()) }
        return trimmed
    }
}

extension StringProtocol {
    /// Trims ASCII characters of `set` from both ends, by UTF-8 byte (header values are short
    /// and every call reads several).
    func trimmingCharacters(in set: StaticString) -> String {
        let bytes = UnsafeBufferPointer(start: set.utf8Start, count: set.utf8CodeUnitCount)
        let whole = Substring(self)
        let utf8 = whole.utf8
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end, bytes.contains(utf8[start]) { start = utf8.index(after: start) }
        while end > start, bytes.contains(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(whole[start..<end])
    }

    /// Trims XML whitespace (space, tab, CR, LF: what xs:token collapses) from both ends.
    package func trimmingXMLWhitespace() -> String { trimmingCharacters(in: " \t\r\n") }
}
