import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PlatformTestSupport
import Synchronization

/// One TLS connection to the service port, written and read as bytes: how pipelining, early
/// answers and `Connection: close` are tested, which an HTTP client library hides.
final class RawServiceConnection: Sendable {
    struct Answer {
        let version: String
        let status: Int
        let headers: [String: String]
        let body: String

        var reply: ReplyReader { ReplyReader(Array(body.utf8)) }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex<[UInt8]>([])
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLock { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }

    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    static func open(_ running: RunningPlatform) async throws -> RawServiceConnection {
        let context = try NIOSSLContext(configuration: try running.tls(.kyDemo))
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: running.ports["service"]!).get()
        return RawServiceConnection(channel: channel, collector: collector)
    }

    /// A request as bytes, with Content-Length (unless `headers` names another framing).
    static func request(_ method: String, _ target: String, body: [UInt8] = [], headers: [String] = [], version: String = "HTTP/1.1") -> [UInt8] {
        var head = "\(method) \(target) \(version)\r\nHost: 127.0.0.1\r\n"
        for header in headers { head += header + "\r\n" }
        if !headers.contains(where: { $0.lowercased().hasPrefix("transfer-encoding:") }) { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    /// Waits for `count` whole answers (Content-Length framed), in the order they arrived.
    func answers(_ count: Int, within seconds: Int = 30) async throws -> [Answer] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let parsed = Self.parse(collector.bytes.withLock { $0 })
            if parsed.count >= count { return parsed }
            try await Task.sleep(for: .milliseconds(10))
        }
        return Self.parse(collector.bytes.withLock { $0 })
    }

    /// True when the server closed the connection within the time.
    func closedByServer(within seconds: Int = 10) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if !channel.isActive { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func close() async {
        try? await channel.close()
    }

    private static func parse(_ bytes: [UInt8]) -> [Answer] {
        var answers: [Answer] = []
        var rest = bytes[...]
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while let end = rest.firstRange(of: separator) {
            let lines = String(decoding: rest[rest.startIndex..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let statusLine = lines[0].split(separator: " ")
            let status = Int(statusLine.dropFirst().first ?? "") ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            guard rest.distance(from: end.upperBound, to: rest.endIndex) >= length else { break }
            let bodyEnd = rest.index(end.upperBound, offsetBy: length)
            answers.append(Answer(version: String(statusLine.first ?? ""), status: status, headers: headers, body: String(decoding: rest[end.upperBound..<bodyEnd], as: UTF8.self)))
            rest = rest[bodyEnd...]
        }
        return answers
    }
}
