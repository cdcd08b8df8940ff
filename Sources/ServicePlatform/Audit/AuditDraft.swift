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
    /// What the security model kept of the caller's credentials (`CallerIdentity.modelDetails`).
    var modelDetails: [String: String] = [:]

    /// `{"callContext":{…},"token":{…}}`, each part only when it has values, keys sorted;
    /// written by hand because JSONSerialization costs more than the rest of the audit record
    /// on the hot path.
    static func json(callContext: [String: String], token: [String: String] = [:]) -> String {
        var out: [UInt8] = []
        func size(_ values: [String: String]) -> Int { values.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 } }
        out.reserveCapacity(64 + size(callContext) + size(token))
        out.append(UInt8(ascii: "{"))
        var first = true
        for (name, values) in [("callContext", callContext), ("token", token)] where !values.isEmpty {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendQuoted(name, to: &out)
            out.append(contentsOf: ":{".utf8)
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendQuoted(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendQuoted(values[key] ?? "", to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes by UTF-8 byte: every byte of a multi-byte character is ≥ 0x80, so only ASCII
    /// control characters, `"` and `\` need care, and the rest is copied as it is.
    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most values need no escape: copied in one go.
        func plain<Bytes: Sequence<UInt8>>(_ utf8: Bytes) -> Bool {
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            return true
        }
        if text.utf8.withContiguousStorageIfAvailable({ plain($0) }) ?? plain(text.utf8) {
            out.append(utf8: text)
            out.append(UInt8(ascii: "\""))
            return
        }
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    func record(outcome: String, faultCode: String?, latencyMicros: Int) -> AuditRecord {
        let details: String? = callContext.isEmpty && modelDetails.isEmpty ? nil : Self.json(callContext: callContext, token: modelDetails)
        return AuditRecord(transactionID: transactionID.description, time: time, callerSystem: callerSystem,
                           certificateFingerprint: certificateFingerprint, securityModel: securityModel,
                           municipalityCode: municipalityCode, municipalityCVR: municipalityCVR, operation: operation,
                           beskedID: beskedID, receiverSystem: receiverSystem, outcome: outcome, faultCode: faultCode,
                           latencyMicros: latencyMicros, cprHash: cprHash, details: details)
    }
}
