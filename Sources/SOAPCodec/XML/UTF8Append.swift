extension Array where Element == UInt8 {
    /// Appends the string's UTF-8 from its own storage in one copy where it has one: appending
    /// a `String.UTF8View` goes byte by byte and cost several times as much on the hot path.
    package mutating func append(utf8 text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
            append(contentsOf: text.utf8)
        }
    }
}
