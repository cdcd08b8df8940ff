import Foundation
import Logging
import PlatformTestSupport
import Synchronization
import Testing
@testable import ServerMain

/// What an operator sees in the log at the default level: every refused call, the platform's and
/// receivers' failures as warnings, and never a CPR number.
@Suite("Call log lines")
struct CallLogTests {
    @Test("a caller's fault is an info line, a receiver down a warning, a receipt nothing at info; no line holds the CPR number")
    func levels() async throws {
        let lines = CapturedLog()
        var logger = Logger(label: "test") { _ in lines.handler() }
        logger.logLevel = .info
        try await withRunningPlatform(logger: logger) { p async throws in
            let (ok, _) = retCall()
            #expect(try await p.post(ok).1.receiptStatus == "Modtaget")
            let (unauthenticated, _) = retCall()
            #expect(try await p.post(unauthenticated, as: .none).1.faultCode == "SP-2001")
            try await RoutingTests.moveReceiver(p, to: "https://127.0.0.1:\(try SilentPort.closedPort())/x")
            let (down, _) = retCall()
            let refused = try await p.post(down)
            #expect(refused.1.faultCode == "SP-3002")
            let transaction = try #require(refused.1.element("urn:serviceplatform:fault:1", "TransaktionsID"))

            let calls = lines.all.filter { $0.message.hasPrefix("call") }
            #expect(calls.count == 2, "\(calls)")
            #expect(calls.contains { $0.level == .info && $0.metadata["outcome"] == "SP-2001" })
            let warning = try #require(calls.first { $0.level == .warning })
            #expect(warning.metadata["outcome"] == "SP-3002" && warning.metadata["transaktionsID"] == transaction)
            #expect(warning.metadata["caller"] == "ky-demo" && warning.metadata["receiver"] == "demo-jobcenter")
            #expect(!lines.all.contains { "\($0.message) \($0.metadata)".contains("0101901234") })
        }
    }
}

/// Log events kept in memory, from any thread.
final class CapturedLog: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }

    func handler() -> some LogHandler { Handler(log: self) }

    fileprivate func append(_ line: Line) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            log.append(Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
