import Foundation

/// One audit record: every call gets exactly one, accepted or refused. No CPR in clear: only
/// its keyed hash.
package struct AuditRecord: Sendable, Equatable, Codable {
    package var transactionID: String
    package var time: Date
    package var callerSystem: String?
    package var certificateFingerprint: String?
    package var securityModel: String?
    package var municipalityCode: String?
    package var municipalityCVR: String?
    package var operation: String?
    package var beskedID: String?
    package var receiverSystem: String?
    /// `Modtaget`, `Afvist`, or the fault code.
    package var outcome: String
    package var faultCode: String?
    package var latencyMicros: Int
    package var cprHash: String?
    /// CallContext values and security-model details, as JSON.
    package var details: String?
    /// The store's sequence number: the paging cursor. Nil until stored.
    package var sequence: Int64?

    package init(transactionID: String, time: Date, callerSystem: String? = nil, certificateFingerprint: String? = nil,
                 securityModel: String? = nil, municipalityCode: String? = nil, municipalityCVR: String? = nil,
                 operation: String? = nil, beskedID: String? = nil, receiverSystem: String? = nil, outcome: String,
                 faultCode: String? = nil, latencyMicros: Int = 0, cprHash: String? = nil, details: String? = nil, sequence: Int64? = nil) {
        self.transactionID = transactionID
        self.time = time
        self.callerSystem = callerSystem
        self.certificateFingerprint = certificateFingerprint
        self.securityModel = securityModel
        self.municipalityCode = municipalityCode
        self.municipalityCVR = municipalityCVR
        self.operation = operation
        self.beskedID = beskedID
        self.receiverSystem = receiverSystem
        self.outcome = outcome
        self.faultCode = faultCode
        self.latencyMicros = latencyMicros
        self.cprHash = cprHash
        self.details = details
        self.sequence = sequence
    }
}

/// Filters of the audit query; all optional, newest first, paged by a cursor.
package struct AuditQuery: Sendable, Equatable {
    package var from: Date?
    package var to: Date?
    package var systemID: String?
    package var municipalityCode: String?
    package var beskedID: String?
    /// The TransaktionsID a caller quotes from a receipt or a fault: one call.
    package var transactionID: String?
    package var outcome: String?
    package var limit: Int = 100
    /// The `sequence` of the last record of the previous page.
    package var cursor: String?

    package init() {}
}
