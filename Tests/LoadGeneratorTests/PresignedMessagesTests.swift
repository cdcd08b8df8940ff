import Foundation
import LoadGenerator
import Testing

@Suite("Pre-signed messages: each sent exactly once, in order, and running out is reported", .serialized)
struct PresignedMessagesTests {
    /// A fresh folder with these files (name → content), removed by the caller.
    func folder(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "presigned-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, content) in files {
            try Data(content.utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        return dir
    }

    func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test("files are read in the order of their names; dot files and folders are skipped")
    func loadOrder() throws {
        let dir = try folder(["0000002.xml": "c", "0000000.xml": "a", "0000001.xml": "b", ".hidden": "x"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        let messages = try PresignedMessages.load(directory: dir)
        #expect(messages.bodies.count == 3)
        #expect([text(messages.next()), text(messages.next()), text(messages.next())] == ["a", "b", "c"])
        #expect(messages.next() == nil)
        #expect(messages.exhausted)
        #expect(messages.handedOut == 3)
    }

    @Test("an empty folder and a missing folder are errors")
    func loadErrors() throws {
        let dir = try folder([:])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: PresignedMessages.LoadError.self) { try PresignedMessages.load(directory: dir) }
        #expect(throws: PresignedMessages.LoadError.self) { try PresignedMessages.load(directory: dir + "/missing") }
    }

    @Test("handing out the last one is not running out; asking once more is")
    func exhaustion() {
        let messages = PresignedMessages([[1], [2]])
        #expect(messages.meanByteCount == 1)
        _ = messages.next()
        _ = messages.next()
        #expect(!messages.exhausted)
        #expect(messages.next() == nil)
        #expect(messages.exhausted)
        #expect(messages.handedOut == 2)
    }

    @Test("many concurrent takers get every message exactly once")
    func concurrentTakers() async {
        let count = 5_000
        let messages = PresignedMessages((0..<count).map { i in Array(String(i).utf8) })
        let taken = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [Int] = []
                    while let body = messages.next() { mine.append(Int(String(decoding: body, as: UTF8.self))!) }
                    return mine
                }
            }
            var all: [Int] = []
            for await part in group { all += part }
            return all
        }
        #expect(taken.count == count)
        #expect(Set(taken).count == count)
        #expect(messages.exhausted)
    }

    @Test("a closed loop over pre-signed messages stops when they run out, sends each once, and says so")
    func runnerStopsWhenExhausted() async throws {
        let messages = PresignedMessages((0..<24).map { Array("<m>\($0)</m>".utf8) })
        // Nothing listens on port 1: every call fails within its 0.2 s deadline (the HTTP client
        // retries the connection until then), so the loop runs through the batch long before its
        // 30 s are up.
        let plan = LoadPlan(url: "http://127.0.0.1:1/", headers: [], bodies: .presigned(messages), mode: .closed, concurrency: 4,
                            duration: .seconds(30), warmup: .zero, expectSubstring: nil, timeout: .milliseconds(200))
        let started = ContinuousClock.now
        let report = try await LoadRunner.run(plan, tls: ClientTLS(certificatePath: nil, keyPath: nil, caPath: nil))
        #expect(ContinuousClock.now - started < .seconds(25))
        #expect(report.callsSent == 24)
        #expect(report.errors.transport == 24)
        #expect(report.presignedMessages == 24)
        #expect(report.presignedExhausted == true)
        #expect(report.summaryLine.contains("presignedExhausted=true"))
    }

    @Test("a template run carries no pre-signed fields in its report")
    func templateRunHasNoPresignedFields() async throws {
        let plan = LoadPlan(url: "http://127.0.0.1:1/", headers: [], bodies: .template(MessageTemplate(Array("<m>{{uuid}}</m>".utf8))),
                            mode: .closed, concurrency: 1, duration: .seconds(1), warmup: .zero, expectSubstring: nil,
                            timeout: .milliseconds(100))
        let report = try await LoadRunner.run(plan, tls: ClientTLS(certificatePath: nil, keyPath: nil, caPath: nil))
        #expect(report.callsSent > 0)
        #expect(report.presignedMessages == nil && report.presignedExhausted == nil)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(!json.contains("presigned"))
    }
}
