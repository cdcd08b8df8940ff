import ServicePlatform

/// A jobcenter system's record of the grants it has received: what Ret and Slet act on.
package protocol GrantBook: Sendable {
    /// Creates or updates the grant.
    func upsert(_ ret: RetBevilling, transactionID: String) async throws
    /// Marks the grant deleted as of `date`; false when no such (undeleted) grant exists.
    func delete(bevillingID: String, municipality: Myndighedskode, on date: CalendarDate, transactionID: String, beskedID: String) async throws -> Bool
}

/// A grant book held in memory, for tests and the in-process exttest receiver.
package actor InMemoryGrantBook: GrantBook {
    package struct Entry: Sendable, Equatable {
        package let bevilling: Bevilling
        package let municipality: Myndighedskode
        package var deletedOn: CalendarDate?
    }

    private var grants: [String: Entry] = [:]
    private(set) package var callsReceived = 0

    package init() {}

    package func upsert(_ ret: RetBevilling, transactionID: String) {
        callsReceived += 1
        grants[ret.bevilling.bevillingID] = Entry(bevilling: ret.bevilling, municipality: ret.header.myndighedskode, deletedOn: nil)
    }

    package func delete(bevillingID: String, municipality: Myndighedskode, on date: CalendarDate, transactionID: String, beskedID: String) -> Bool {
        callsReceived += 1
        guard var entry = grants[bevillingID], entry.municipality == municipality, entry.deletedOn == nil else { return false }
        entry.deletedOn = date
        grants[bevillingID] = entry
        return true
    }

    package func entry(_ bevillingID: String) -> Entry? { grants[bevillingID] }
}
