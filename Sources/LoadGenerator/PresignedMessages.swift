import Foundation
import Synchronization

/// Request bodies prepared before the run (SAML-model calls, each with its own message
/// signature, Timestamp, MessageID and BeskedID), handed out each exactly once, in order, to
/// whichever worker sends next. Signing costs about a millisecond of RSA per message, so it is
/// done before the measured window, not inside it; a signed message cannot be sent twice (the
/// router keeps a replay cache keyed by its SignatureValue), so running out is an error the
/// run reports, never a reason to reuse one.
public final class PresignedMessages: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public let bodies: [[UInt8]]
    private let cursor = Atomic<Int>(0)

    public init(_ bodies: [[UInt8]]) {
        self.bodies = bodies
    }

    /// Every regular file in `directory` whose name does not start with a dot, read into memory
    /// (before the run) and handed out in the order of their names.
    public static func load(directory: String) throws -> PresignedMessages {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw LoadError(description: "cannot list \(directory): \(error)")
        }
        var bodies: [[UInt8]] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let data = FileManager.default.contents(atPath: path) else { throw LoadError(description: "cannot read \(path)") }
            bodies.append(Array(data))
        }
        guard !bodies.isEmpty else { throw LoadError(description: "\(directory) holds no messages") }
        return PresignedMessages(bodies)
    }

    /// The next unsent body, or nil once every one has been handed out.
    public func next() -> [UInt8]? {
        let index = cursor.add(1, ordering: .relaxed).oldValue
        return index < bodies.count ? bodies[index] : nil
    }

    /// How many bodies have been handed out so far.
    public var handedOut: Int { min(cursor.load(ordering: .relaxed), bodies.count) }

    /// True once a worker asked for a body and none was left.
    public var exhausted: Bool { cursor.load(ordering: .relaxed) > bodies.count }

    /// The mean body size in bytes (what the report shows as the message size).
    public var meanByteCount: Int {
        bodies.isEmpty ? 0 : bodies.reduce(0) { $0 + $1.count } / bodies.count
    }
}
