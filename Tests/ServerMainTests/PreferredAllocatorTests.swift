import Testing
@testable import ServerMain

/// Which starts run again on jemalloc: the router's own long-running commands, once, and only
/// when the library is there and nobody opted out.
@Suite("Preferred allocator (jemalloc when installed)")
struct PreferredAllocatorTests {
    static let jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

    static func plan(_ arguments: [String], environment: [String: String] = [:], installed: Bool = true) -> PreferredAllocator.Plan {
        PreferredAllocator.plan(arguments: ["serviceplatform"] + arguments, environment: { environment[$0] },
                                installed: { installed && $0 == jemalloc })
    }

    @Test("serve, demo, the default command and bench-floor restart with jemalloc preloaded")
    func longRunningCommands() {
        for arguments in [["serve", "--data-dir", "d"], ["demo"], [], ["--data-dir", "d"], ["bench-floor"]] {
            #expect(Self.plan(arguments) == .restart(preload: Self.jemalloc), "\(arguments)")
        }
    }

    @Test("the load generator, the standalone jobcenter and one-shot commands keep glibc's malloc")
    func otherCommands() {
        for command in ["jobcenter", "bench", "bench-hotpath", "bench-presign", "send"] {
            #expect(Self.plan([command]) == .keep, "\(command)")
        }
    }

    @Test("no second exec once the variable is set, and SERVICEPLATFORM_ALLOCATOR=system opts out")
    func onceAndOptOut() {
        #expect(Self.plan(["serve"], environment: ["SERVICEPLATFORM_ALLOCATOR": "jemalloc"]) == .keep)
        #expect(Self.plan(["serve"], environment: ["SERVICEPLATFORM_ALLOCATOR": "system"]) == .keep)
    }

    @Test("without the library nothing changes")
    func notInstalled() {
        #expect(Self.plan(["serve"], installed: false) == .keep)
    }

    @Test("a preload the operator set stays, after jemalloc; an empty one is dropped")
    func operatorPreload() {
        #expect(Self.plan(["serve"], environment: ["LD_PRELOAD": "/opt/x.so"]) == .restart(preload: Self.jemalloc + ":/opt/x.so"))
        #expect(Self.plan(["serve"], environment: ["LD_PRELOAD": ""]) == .restart(preload: Self.jemalloc))
    }

    @Test("the commands named are the command line's own")
    func commandNames() {
        let names = Set(ServicePlatformCommand.configuration.subcommands.map { $0._commandName })
        #expect(PreferredAllocator.commands.isSubset(of: names))
        #expect(ServicePlatformCommand.configuration.defaultSubcommand?._commandName == "demo")
    }
}
