/// A request body with placeholders, rendered afresh for every call. The router keeps a
/// receipt per BeskedID and replays it for a repeated one, so a benchmark that sent the same
/// bytes twice would measure the idempotency store instead of forwarding: every occurrence of
/// the placeholder becomes a new random UUID on each render.
public struct MessageTemplate: Sendable, Equatable {
    /// The default placeholder; the bench scripts write it where BeskedID (and other ids) go.
    public static let defaultPlaceholder = "{{uuid}}"

    /// The literal parts between placeholders; `segments.count - 1` UUIDs go between them.
    public let segments: [[UInt8]]

    public init(_ body: [UInt8], placeholder: String = MessageTemplate.defaultPlaceholder) {
        let needle = Array(placeholder.utf8)
        var segments: [[UInt8]] = []
        var start = 0
        var index = 0
        if !needle.isEmpty {
            while let hit = ByteSearch.firstIndex(of: needle, in: body, from: index) {
                segments.append(Array(body[start..<hit]))
                start = hit + needle.count
                index = start
            }
        }
        segments.append(Array(body[start...]))
        self.segments = segments
    }

    /// How many fresh UUIDs each rendered body carries.
    public var placeholderCount: Int { segments.count - 1 }

    /// The size of every rendered body: a UUID is always 36 bytes.
    public var renderedByteCount: Int {
        segments.reduce(0) { $0 + $1.count } + placeholderCount * UUIDText.length
    }

    /// One body with a fresh UUID in every placeholder.
    public func render<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(renderedByteCount)
        for (i, segment) in segments.enumerated() {
            if i > 0 { UUIDText.appendRandom(to: &out, using: &generator) }
            out.append(contentsOf: segment)
        }
        return out
    }
}
