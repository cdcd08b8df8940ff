import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and collects its standard output and error, with `posix_spawn`.
///
/// Not Foundation's `Process`: with the many sockets and database files a parallel test run
/// keeps open (over 1 000 descriptors), corelibs-foundation's `Process.run()` crashed in CI
/// (SIGSEGV in memcpy while preparing the child). `posix_spawn` has no such limit.
package enum Subprocess {
    package struct SpawnFailed: Error, CustomStringConvertible {
        package let description: String
    }

    /// `arguments[0]` is looked up in PATH; `directory`, when given, is the child's working directory.
    package static func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        precondition(!arguments.isEmpty)
        var argv = arguments
        if let directory { argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + arguments }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SpawnFailed(description: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw SpawnFailed(description: "\(argv[0]) could not be started (\(rc))")
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count > 0 { output += buffer[0..<count]; continue }
            if count < 0 && errno == EINTR { continue }
            break
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exitCode, String(decoding: output, as: UTF8.self))
    }
}
