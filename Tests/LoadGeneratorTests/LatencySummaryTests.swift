import Histogram
import LoadGenerator
import Testing

@Suite("Latency summaries read off the HdrHistogram")
struct LatencySummaryTests {
    @Test("percentiles of 1…1000 µs are within the histogram's three significant digits")
    func percentiles() {
        var histogram = LatencySummary.emptyHistogram()
        for value in 1...1000 { _ = histogram.record(UInt64(value)) }
        let summary = LatencySummary(histogram)
        #expect(summary.count == 1000)
        #expect(summary.min == 1)
        #expect((499...501).contains(summary.p50))
        #expect((989...991).contains(summary.p99))
        #expect((998...1000).contains(summary.p999))
        #expect(summary.max == 1000)
    }

    @Test("an empty run reports zeros, not garbage")
    func empty() {
        let summary = LatencySummary(LatencySummary.emptyHistogram())
        #expect(summary.count == 0)
        #expect(summary.p99 == 0)
        #expect(summary.mean == 0)
    }

    @Test("the byte search finds the receipt's status")
    func search() {
        let answer = Array("<kh:Status>Modtaget</kh:Status>".utf8)
        #expect(ByteSearch.contains(Array(">Modtaget<".utf8), in: answer))
        #expect(!ByteSearch.contains(Array(">Afvist<".utf8), in: answer))
        #expect(ByteSearch.firstIndex(of: Array("a".utf8), in: Array("bba".utf8)) == 2)
        #expect(ByteSearch.firstIndex(of: Array("abc".utf8), in: Array("ab".utf8)) == nil)
    }
}
