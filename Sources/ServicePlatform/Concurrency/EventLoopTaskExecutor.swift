import NIOCore
import NIOPosix

/// Runs a task on one event loop: a service call's task on its connection's loop. Without it a
/// task's steps go wherever the last resumption happened: after the audit commit every caller
/// of a batch wakes on the batch leader's loop, and half of them then hand their answer to the
/// other loop's thread. (The NIO release we build against has no `TaskExecutor` of its own.)
package final class EventLoopTaskExecutor: TaskExecutor {
    package let eventLoop: any EventLoop

    package init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// One executor per loop of the singleton group (the one Hummingbird serves on).
    private static let ofSingletonLoops: [ObjectIdentifier: EventLoopTaskExecutor] = {
        var executors: [ObjectIdentifier: EventLoopTaskExecutor] = [:]
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() { executors[ObjectIdentifier(loop)] = EventLoopTaskExecutor(loop) }
        return executors
    }()

    /// The executor of `loop` if it is one of the singleton group's; nil otherwise (the task
    /// then runs where Swift Concurrency puts it).
    package static func of(_ loop: any EventLoop) -> EventLoopTaskExecutor? {
        ofSingletonLoops[ObjectIdentifier(loop)]
    }
}
