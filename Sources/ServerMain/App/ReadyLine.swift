import Foundation

/// Collects the bound ports and prints `ready service=… admin=…` once all listeners are up,
/// as the contract fixes it; waiters (tests, `demo`) can await the ports too.
actor ReadyLine {
    private var ports: [String: Int] = [:]
    private let expected: Set<String>
    private let host: String
    private let adminHost: String
    private let printLine: Bool
    private var waiters: [CheckedContinuation<[String: Int], Never>] = []
    /// Runs once, right after the ready line (e.g. `demo` printing commands with the real ports).
    private var onReady: (@Sendable ([String: Int]) async -> Void)?

    /// `host`: the service listener's address; `adminHost`: the admin listener's, when it binds elsewhere.
    init(host: String, adminHost: String? = nil, expected: Set<String> = ["service", "admin"], printLine: Bool = true,
         onReady: (@Sendable ([String: Int]) async -> Void)? = nil) {
        self.host = host
        self.adminHost = adminHost ?? host
        self.expected = expected
        self.printLine = printLine
        self.onReady = onReady
    }

    func bound(_ listener: String, port: Int) async {
        ports[listener] = port
        guard Set(ports.keys).isSuperset(of: expected) else { return }
        if printLine, let service = ports["service"], let admin = ports["admin"] {
            // Unbuffered, so a parent process reading our stdout sees it at once.
            Console.line(Self.text(serviceHost: host, servicePort: service, adminHost: adminHost, adminPort: admin))
        }
        for waiter in waiters { waiter.resume(returning: ports) }
        waiters = []
        if let onReady {
            self.onReady = nil
            await onReady(ports)
        }
    }

    /// The line, each listener with its own address.
    static func text(serviceHost: String, servicePort: Int, adminHost: String, adminPort: Int) -> String {
        "ready service=https://\(serviceHost):\(servicePort) admin=http://\(adminHost):\(adminPort)"
    }

    /// The ports once every expected listener is bound.
    func allBound() async -> [String: Int] {
        if Set(ports.keys).isSuperset(of: expected) { return ports }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
