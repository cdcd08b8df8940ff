import LoadGenerator
import Testing

@Suite("The open loop's schedule: due times from the rate, not from the answers")
struct OpenLoopScheduleTests {
    @Test("call i is due i/rate seconds after the start")
    func dueTimes() {
        let schedule = OpenLoopSchedule(ratePerSecond: 1000, durationNanoseconds: 1_000_000_000)
        #expect(schedule.offsetNanoseconds(of: 0) == 0)
        #expect(schedule.offsetNanoseconds(of: 1) == 1_000_000)
        #expect(schedule.offsetNanoseconds(of: 999) == 999_000_000)
    }

    @Test("the run holds exactly rate × duration calls, none due at or after the end")
    func plannedCalls() {
        let schedule = OpenLoopSchedule(ratePerSecond: 1000, durationNanoseconds: 1_000_000_000)
        #expect(schedule.plannedCalls == 1000)
        #expect(schedule.contains(999))
        #expect(!schedule.contains(1000))
        #expect(!schedule.contains(-1))
    }

    @Test("fractional rates round the count up to the last call due before the end")
    func fractionalRate() {
        let schedule = OpenLoopSchedule(ratePerSecond: 3, durationNanoseconds: 1_000_000_000)
        #expect(schedule.plannedCalls == 3)
        let slow = OpenLoopSchedule(ratePerSecond: 0.5, durationNanoseconds: 3_000_000_000)
        #expect(slow.plannedCalls == 2)
    }
}
