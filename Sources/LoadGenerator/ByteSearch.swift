/// Naive byte-string search: the inputs (templates, receipts) are a few kilobytes, so the
/// simple loop is fast enough and obviously correct.
public enum ByteSearch {
    /// The index of the first occurrence of `needle` in `haystack` at or after `start`.
    public static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start >= 0 else { return nil }
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    public static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        needle.isEmpty || firstIndex(of: needle, in: haystack) != nil
    }
}
