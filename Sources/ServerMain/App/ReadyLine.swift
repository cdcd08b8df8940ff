import Foundation

/// Collects the bound ports and prints `ready service=… admin=…` once all listeners are up,
/// as the contract fixes it; waiters (tests, `demo`) can await the ports too.
actor ReadyLine {
    private var ports: [String: Int] = [:]
    private let expected: Set<String>
    private let host: String
    private let printLine: Bool
    private var waiters: [CheckedContinuation<[String: Int], Never>] = []
    /// Runs once, right after the ready line (e.g. `demo` printing commands with the real ports).
    private var onReady: (@Sendable ([String: Int]) async -> Void)?

    init(host: String, expected: Set<String> = ["service", "admin"], printLine: Bool = true,
         onReady: (@Sendable ([String: Int]) async -> Void)? = nil) {
        self.host = host
        self.expected = expected
        self.printLine = printLine
        self.onReady = onReady
    }

    func bound(_ listener: String, port: Int) async {
        ports[listener] = port
        guard Set(ports.keys).isSuperset(of: expected) else { return }
        if printLine, let service = ports["service"], let admin = ports["admin"] {
            // Unbuffered, so a parent process reading our stdout sees it at once.
            Console.line("ready service=https://\(host):\(service) admin=http://\(host):\(admin)")
        }
        for waiter in waiters { waiter.resume(returning: ports) }
        waiters = []
        if let onReady {
            self.onReady = nil
            await onReady(ports)
        }
    }

    /// The ports once every expected listener is bound.
    func allBound() async -> [String: Int] {
        if Set(ports.keys).isSuperset(of: expected) { return ports }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
