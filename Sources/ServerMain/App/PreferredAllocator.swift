import Glibc

/// Runs the long-lived commands on jemalloc when Debian's `libjemalloc2` is installed.
///
/// A call's pipeline alone makes some 420 allocations (libxml2's trees and schema validation,
/// SQLite, Swift; callgrind), HTTP and TLS more: with jemalloc the router took 5 % less CPU per
/// call and answered 3 % more calls per second at concurrency 32 (7 interleaved A/B pairs, each
/// in jemalloc's favour or level). glibc picks its allocator once, before `main`, so the process
/// starts itself again (same PID, same arguments) with the library preloaded. Without the
/// library, or with `SERVICEPLATFORM_ALLOCATOR=system`, glibc's malloc stays; nothing else changes.
enum PreferredAllocator {
    /// Set by the first start; any value stops a second exec (`system` is the documented opt-out).
    static let variable = "SERVICEPLATFORM_ALLOCATOR"
    /// Where Debian puts the library, by architecture.
    static let libraries = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"]
    /// The router's own long-running commands. The standalone demo jobcenter (a benchmark's peer)
    /// and the load generator keep glibc's, so the figures measured against them stay comparable.
    static let commands: Set<String> = ["serve", "demo", "bench-floor"]

    /// What to do at start.
    enum Plan: Equatable {
        case keep
        /// Exec the binary again with this `LD_PRELOAD`.
        case restart(preload: String)
    }

    /// The decision, from the arguments (the command first), the environment and the installed library.
    static func plan(arguments: [String], environment: (String) -> String?, installed: (String) -> Bool) -> Plan {
        // No subcommand (or only options) runs `demo`, the default.
        let command = arguments.dropFirst().first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "demo"
        guard commands.contains(command), environment(variable) == nil,
              let library = libraries.first(where: installed) else { return .keep }
        let preload = environment("LD_PRELOAD").flatMap { $0.isEmpty ? nil : $0 }
        return .restart(preload: preload.map { library + ":" + $0 } ?? library)
    }

    /// Called first thing in `main`; returns only when the process goes on as it is.
    static func adopt() {
        let plan = plan(arguments: CommandLine.arguments,
                        environment: { name in getenv(name).map { String(cString: $0) } },
                        installed: { access($0, R_OK) == 0 })
        guard case .restart(let preload) = plan else { return }
        let previous = getenv("LD_PRELOAD").map { String(cString: $0) }
        setenv(variable, "jemalloc", 1)
        setenv("LD_PRELOAD", preload, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // The exec failed: carry on with glibc's malloc, the environment as it was.
        unsetenv(variable)
        if let previous { setenv("LD_PRELOAD", previous, 1) } else { unsetenv("LD_PRELOAD") }
    }
}
