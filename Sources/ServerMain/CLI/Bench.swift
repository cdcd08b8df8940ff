import ArgumentParser
import Foundation
import LoadGenerator

/// `serviceplatform bench`: the load generator behind `scripts/bench`. It lives in the
/// platform's own binary so the benchmark needs nothing but this package, and every target
/// (jobcenter direct, nginx, router) is measured with the same client code.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send load to an HTTPS endpoint (closed loop, or open loop with --rate) and report throughput and latency.")

    @Option(help: "The endpoint to POST to (127.0.0.1 only in the bench script).")
    var url: String

    @Option(help: "PEM client certificate to present.")
    var cert: String?

    @Option(help: "PEM private key of the client certificate.")
    var key: String?

    @Option(help: "PEM CA bundle trusted for the server's certificate.")
    var cafile: String?

    @Option(help: "The request body; every {{uuid}} in it becomes a fresh UUID on each call.")
    var bodyFile: String

    @Option(help: "A request header 'Name: value'; repeatable.")
    var header: [String] = []

    @Option(help: "Callers in a closed loop, or the cap on calls in flight in an open loop.")
    var concurrency: Int = 8

    @Option(help: "Open loop: calls per second, started on schedule whatever the answers do.")
    var rate: Double?

    @Option(help: "Measured seconds (after warm-up).")
    var duration: Double = 10

    @Option(help: "Seconds of load before measuring starts.")
    var warmup: Double = 2

    @Option(help: "A call succeeds only with HTTP 200 and this text in the answer, e.g. '>Modtaget<'.")
    var expectSubstring: String?

    @Option(help: "Write the report as JSON to this file.")
    var jsonOut: String?

    @Option(help: "Per-call timeout in seconds.")
    var timeout: Double = 30

    func validate() throws {
        guard duration > 0, duration.isFinite else { throw ValidationError("--duration must be positive") }
        guard warmup >= 0, warmup.isFinite else { throw ValidationError("--warmup must not be negative") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if let rate { guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be positive") } }
        for line in header where HeaderLine(line) == nil { throw ValidationError("--header must be 'Name: value', got '\(line)'") }
    }

    func run() async throws {
        guard let body = FileManager.default.contents(atPath: bodyFile) else {
            throw ValidationError("cannot read --body-file \(bodyFile)")
        }
        let template = MessageTemplate(Array(body))
        if template.placeholderCount == 0 {
            Console.line("note: \(bodyFile) has no \(MessageTemplate.defaultPlaceholder): every call sends the same bytes")
        }
        let plan = LoadPlan(
            url: url, headers: header.compactMap(HeaderLine.init).map { ($0.name, $0.value) }, template: template,
            mode: rate.map { .open(ratePerSecond: $0) } ?? .closed, concurrency: concurrency,
            duration: .milliseconds(Int64(duration * 1000)), warmup: .milliseconds(Int64(warmup * 1000)),
            expectSubstring: expectSubstring, timeout: .milliseconds(Int64(timeout * 1000)))
        let report = try await LoadRunner.run(plan, tls: ClientTLS(certificatePath: cert, keyPath: key, caPath: cafile))
        Console.line(report.summaryLine)
        for sample in report.errorSamples { Console.line("  error: \(sample.prefix(300))") }
        if let jsonOut {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: jsonOut))
        }
    }
}

/// One `--header` value split at its first colon.
struct HeaderLine {
    let name: String
    let value: String

    init?(_ line: String) {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        name = line[..<colon].trimmingCharacters(in: .whitespaces)
        value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if name.isEmpty { return nil }
    }
}
