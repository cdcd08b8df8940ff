import Foundation

/// A linear pass over the raw bytes that refuses what libxml2 2.9 would either accept (DTDs,
/// entities) or pay for quadratically (huge attribute lists), before the parser runs.
///
/// It is a tokenizer of markup boundaries only, not a parser: it tracks comments, CDATA sections,
/// processing instructions and quoted attribute values so that a `<` or `>` inside them does
/// not count. Anything it lets through is still parsed by libxml2 with its own checks.
package struct XMLPreScan: Sendable {
    package let limits: XMLLimits

    package init(limits: XMLLimits) { self.limits = limits }

    package func check(_ bytes: [UInt8]) throws(XMLParseError) {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxBytes else { throw .tooLarge }
        // Over the raw buffer: no bounds check per byte (every index below is checked against n).
        try bytes.withUnsafeBufferPointer { (buffer) throws(XMLParseError) in
            guard Self.isValidUTF8(buffer) else { throw .invalidUTF8 }
            try scanMarkup(buffer)
        }
    }

    // MARK: - Markup

    private func scanMarkup(_ b: UnsafeBufferPointer<UInt8>) throws(XMLParseError) {
        var i = 0
        let n = b.count
        var depth = 0
        // Skip a UTF-8 byte order mark.
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        while i < n {
            // Text up to the next markup: libc's vector search, not a loop per byte.
            guard let open = Self.findByte(b, UInt8(ascii: "<"), from: i) else { return }
            i = open
            guard i + 1 < n else { throw .notWellFormed }
            let next = b[i + 1]
            if next == UInt8(ascii: "?") {
                // Processing instruction or XML declaration: runs to "?>".
                guard let end = Self.find(b, [0x3F, 0x3E], from: i + 2) else { throw .notWellFormed }
                if Self.startsWith(b, "<?xml", at: i) {
                    try Self.checkDeclaration(UnsafeBufferPointer(rebasing: b[i..<end]))
                }
                i = end + 2
            } else if next == UInt8(ascii: "!") {
                if Self.startsWith(b, "<!--", at: i) {
                    guard let end = Self.find(b, Array("-->".utf8), from: i + 4) else { throw .notWellFormed }
                    i = end + 3
                } else if Self.startsWith(b, "<![CDATA[", at: i) {
                    guard let end = Self.find(b, Array("]]>".utf8), from: i + 9) else { throw .notWellFormed }
                    i = end + 3
                } else {
                    // <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST and anything else.
                    throw .doctypeNotAllowed
                }
            } else if next == UInt8(ascii: "/") {
                depth -= 1
                guard let end = Self.findByte(b, UInt8(ascii: ">"), from: i + 2) else { throw .notWellFormed }
                i = end + 1
            } else {
                // Start tag: count attributes (each "=" outside quotes), honour quoted values.
                var j = i + 1
                var attributes = 0
                var selfClosing = false
                while j < n {
                    let c = b[j]
                    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                        // A quoted value (namespace URIs are most of a SOAP header's bytes): to
                        // its closing quote in one search, with no "<" inside.
                        guard let close = Self.findByte(b, c, from: j + 1) else { throw .notWellFormed }
                        if Self.findByte(b, UInt8(ascii: "<"), from: j + 1, before: close) != nil { throw .notWellFormed }
                        j = close
                    } else if c == UInt8(ascii: "=") {
                        attributes += 1
                        if attributes > limits.maxAttributesPerElement { throw .tooManyAttributes }
                    } else if c == UInt8(ascii: ">") {
                        selfClosing = j > i + 1 && b[j - 1] == UInt8(ascii: "/")
                        break
                    } else if c == UInt8(ascii: "<") {
                        throw .notWellFormed
                    }
                    j += 1
                }
                guard j < n else { throw .notWellFormed }
                if !selfClosing {
                    depth += 1
                    if depth > limits.maxDepth { throw .tooDeep }
                }
                i = j + 1
            }
        }
    }

    /// Only UTF-8 is accepted: an `encoding` pseudo-attribute naming anything else is refused.
    /// Works on the bytes, ASCII case folded (Foundation's `range(of:)` here cost ~9 000
    /// instructions per request).
    private static func checkDeclaration(_ declaration: UnsafeBufferPointer<UInt8>) throws(XMLParseError) {
        let d = declaration.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        let keyword = Array("encoding".utf8)
        guard let start = d.withUnsafeBufferPointer({ find($0, keyword, from: 0) }) else { return }
        var i = start + keyword.count
        while i < d.count, [0x20, 0x3D, 0x09, 0x0A, 0x0D].contains(d[i]) { i += 1 }   // space, "=", tab, LF, CR
        guard i < d.count, d[i] == 0x22 || d[i] == 0x27 else { throw .notWellFormed }
        let quote = d[i]
        let valueStart = i + 1
        var valueEnd = valueStart
        while valueEnd < d.count, d[valueEnd] != quote { valueEnd += 1 }
        let value = d[valueStart..<valueEnd]
        guard value.elementsEqual("utf-8".utf8) || value.elementsEqual("utf8".utf8) else { throw .unsupportedEncoding }
    }

    // MARK: - Bytes

    private static func startsWith(_ b: UnsafeBufferPointer<UInt8>, _ prefix: String, at i: Int) -> Bool {
        let p = Array(prefix.utf8)
        guard i + p.count <= b.count else { return false }
        for k in 0..<p.count {
            var c = b[i + k]
            if c >= 0x61 && c <= 0x7A && p[k] >= 0x41 && p[k] <= 0x5A { c -= 0x20 }   // "<!doctype" too
            if c != p[k] { return false }
        }
        return true
    }

    /// The first `byte` in `start..<end` (to the end of `b` by default).
    private static func findByte(_ b: UnsafeBufferPointer<UInt8>, _ byte: UInt8, from start: Int, before end: Int? = nil) -> Int? {
        let end = min(end ?? b.count, b.count)
        guard start < end, let base = b.baseAddress,
              let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private static func find(_ b: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, b.count >= needle.count else { return nil }
        var i = start
        let last = b.count - needle.count
        while i <= last {
            if b[i] == needle[0] {
                var k = 1
                while k < needle.count && b[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
    package static func isValidUTF8(_ b: [UInt8]) -> Bool {
        b.withUnsafeBufferPointer { isValidUTF8($0) }
    }

    static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            // Eight ASCII bytes at a time: the common case.
            if i + 8 <= n, UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            let minimum: UInt32
            var scalar: UInt32
            switch c {
            case 0xC2...0xDF: need = 1; minimum = 0x80; scalar = UInt32(c & 0x1F)
            case 0xE0...0xEF: need = 2; minimum = 0x800; scalar = UInt32(c & 0x0F)
            case 0xF0...0xF4: need = 3; minimum = 0x10000; scalar = UInt32(c & 0x07)
            default: return false
            }
            if i + need >= n { return false }   // truncated sequence
            for k in 1...need {
                let cc = b[i + k]
                guard cc & 0xC0 == 0x80 else { return false }
                scalar = (scalar << 6) | UInt32(cc & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return false }
            i += need + 1
        }
        return true
    }
}
