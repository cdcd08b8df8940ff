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

    /// `{"callContext":{…}}` with sorted keys; written by hand because JSONSerialization costs
    /// more than the rest of the audit record on the hot path.
    static func json(_ values: [String: String]) -> String {
        var out = "{\"callContext\":{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            out += quoted(key) + ":" + quoted(values[key] ?? "")
        }
        return out + "}}"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    func record(outcome: String, faultCode: String?, latencyMicros: Int) -> AuditRecord {
        let details: String? = callContext.isEmpty ? nil : Self.json(callContext)
        return AuditRecord(transactionID: transactionID.description, time: time, callerSystem: callerSystem,
                           certificateFingerprint: certificateFingerprint, securityModel: securityModel,
                           municipalityCode: municipalityCode, municipalityCVR: municipalityCVR, operation: operation,
                           beskedID: beskedID, receiverSystem: receiverSystem, outcome: outcome, faultCode: faultCode,
                           latencyMicros: latencyMicros, cprHash: cprHash, details: details)
    }
}
