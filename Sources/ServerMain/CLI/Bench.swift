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
    var bodyFile: String?

    @Option(help: ArgumentHelp(
        "Send the files in this folder instead (e.g. from `bench-presign`), each exactly once, in the order of their names.",
        discussion: "Running out before the run's end is an error (exit 3) unless --until-exhausted is given."))
    var presignedDir: String?

    @Flag(help: "With --presigned-dir: sending every file is the normal end of the run (a calibration run); --duration is then an upper bound.")
    var untilExhausted = false

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
        guard (bodyFile == nil) != (presignedDir == nil) else { throw ValidationError("give exactly one of --body-file and --presigned-dir") }
        if untilExhausted, presignedDir == nil { throw ValidationError("--until-exhausted needs --presigned-dir") }
    }

    func run() async throws {
        let bodies: LoadPlan.Bodies
        if let presignedDir {
            bodies = .presigned(try PresignedMessages.load(directory: presignedDir))
        } else if let bodyFile {
            guard let body = FileManager.default.contents(atPath: bodyFile) else {
                throw ValidationError("cannot read --body-file \(bodyFile)")
            }
            let template = MessageTemplate(Array(body))
            if template.placeholderCount == 0 {
                Console.line("note: \(bodyFile) has no \(MessageTemplate.defaultPlaceholder): every call sends the same bytes")
            }
            bodies = .template(template)
        } else {
            throw ValidationError("give --body-file or --presigned-dir")
        }
        let plan = LoadPlan(
            url: url, headers: header.compactMap(HeaderLine.init).map { ($0.name, $0.value) }, bodies: bodies,
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
        if report.presignedExhausted == true, !untilExhausted {
            Console.line("error: the \(report.presignedMessages ?? 0) presigned messages ran out before the run's end; prepare more")
            throw ExitCode(3)
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
