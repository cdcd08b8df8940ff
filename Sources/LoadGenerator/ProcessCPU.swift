import Foundation

/// The generator's own CPU time, so a report shows how much of the machine the load itself
/// took (it shares the cores with the system under test). `clock()` is the process's user +
/// system time (CLOCK_PROCESS_CPUTIME_ID on Linux), with no platform-specific imports.
enum ProcessCPU {
    static func seconds() -> Double {
        Double(clock()) / Double(CLOCKS_PER_SEC)
    }
}
