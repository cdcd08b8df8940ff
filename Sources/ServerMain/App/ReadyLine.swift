/// Prints `ready service=… admin=…` once both listeners are bound, as the contract fixes it.
actor ReadyLine {
    private var servicePort: Int?
    private var adminPort: Int?
    private let host: String

    init(host: String) { self.host = host }

    func service(bound port: Int) { servicePort = port; printIfReady() }
    func admin(bound port: Int) { adminPort = port; printIfReady() }

    private func printIfReady() {
        guard let servicePort, let adminPort else { return }
        // Unbuffered, so a parent process reading our stdout sees it at once.
        let line = "ready service=http://\(host):\(servicePort) admin=http://\(host):\(adminPort)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}

import Foundation
