import Foundation

/// Where the repository's test inputs are: found from this file's path, never from the working directory.
package enum TestPaths {
    package static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    package static var wsdlDirectory: String { repositoryRoot.appendingPathComponent("wsdl").path }

    package static func fixture(_ name: String) -> String {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/messages/\(name)")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }
}
