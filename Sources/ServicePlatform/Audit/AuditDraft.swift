import Foundation

/// What the pipeline learns of a call as it goes; becomes the call's one audit record whatever
/// step it ended at.
struct AuditDraft {
    var transactionID: TransactionID
    var time: Date
    var callerSystem: String?
    var certificateFingerprint: String?
    var securityModel: String?
    var municipalityCode: String?
    var municipalityCVR: String?
    var operation: String?
    var beskedID: String?
    var receiverSystem: String?
    var cprHash: String?
    var callContext: [String: String] = [:]

    func record(outcome: String, faultCode: String?, latencyMicros: Int) -> AuditRecord {
        var details: String?
        if !callContext.isEmpty, let data = try? JSONSerialization.data(withJSONObject: ["callContext": callContext], options: [.sortedKeys]) {
            details = String(decoding: data, as: UTF8.self)
        }
        return AuditRecord(transactionID: transactionID.description, time: time, callerSystem: callerSystem,
                           certificateFingerprint: certificateFingerprint, securityModel: securityModel,
                           municipalityCode: municipalityCode, municipalityCVR: municipalityCVR, operation: operation,
                           beskedID: beskedID, receiverSystem: receiverSystem, outcome: outcome, faultCode: faultCode,
                           latencyMicros: latencyMicros, cprHash: cprHash, details: details)
    }
}
