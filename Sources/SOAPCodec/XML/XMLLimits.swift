/// Bounds every untrusted document must stay within. They are checked on the raw bytes before
/// libxml2 sees them, because libxml2 2.9 has no cheap defence against some of them (a start tag
/// with 100 000 attributes costs it seconds of CPU).
package struct XMLLimits: Sendable, Equatable {
    /// Largest accepted body; the HTTP layer enforces it while reading, the codec again before parsing.
    package var maxBytes: Int
    /// Deepest element nesting; real OIO IDWS messages need about 12.
    package var maxDepth: Int
    /// Most attributes (namespace declarations included) on one start tag.
    package var maxAttributesPerElement: Int

    package init(maxBytes: Int = 1 << 20, maxDepth: Int = 32, maxAttributesPerElement: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxAttributesPerElement = maxAttributesPerElement
    }

    /// The limits of the service endpoint.
    package static let standard = XMLLimits()
}
