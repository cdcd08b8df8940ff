/// A platform-level failure: one contract fault code and a text for the caller. The text names
/// the offending element, never its value (a value may be a CPR number).
package struct PlatformFault: Error, Sendable, Equatable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        package static let malformedRequest = Code(rawValue: "SP-1001")
        package static let schemaViolation = Code(rawValue: "SP-1002")
        package static let businessRule = Code(rawValue: "SP-1003")
        package static let authenticationFailed = Code(rawValue: "SP-2001")
        package static let notAuthorized = Code(rawValue: "SP-2002")
        package static let municipalityMismatch = Code(rawValue: "SP-2003")
        package static let noReceiver = Code(rawValue: "SP-3001")
        package static let receiverUnavailable = Code(rawValue: "SP-3002")
        package static let invalidReceipt = Code(rawValue: "SP-3003")
        package static let messageIDReused = Code(rawValue: "SP-4001")
        package static let internalError = Code(rawValue: "SP-5000")

        /// `Client`/`Sender` for SP-1xxx, SP-2xxx, SP-3001 and SP-4xxx; `Server`/`Receiver` otherwise.
        package var blamesSender: Bool {
            rawValue.hasPrefix("SP-1") || rawValue.hasPrefix("SP-2") || rawValue.hasPrefix("SP-4") || rawValue == "SP-3001"
        }

        package var description: String { rawValue }
    }

    /// A receiver's own error, passed on to the caller beside ours.
    package struct ReceiverError: Sendable, Equatable {
        package let code: String
        package let text: String
        package init(code: String, text: String) { self.code = code; self.text = text }
    }

    package let code: Code
    package let text: String
    package var receiverErrors: [ReceiverError]

    package init(_ code: Code, _ text: String, receiverErrors: [ReceiverError] = []) {
        self.code = code
        self.text = text
        self.receiverErrors = receiverErrors
    }

    package static func == (a: Self, b: Self) -> Bool { a.code == b.code }
    package var description: String { "\(code.rawValue): \(text)" }
}

/// An error that knows its one contract fault.
package protocol FaultConvertible: Error {
    var fault: PlatformFault { get }
}

extension PlatformFault: FaultConvertible {
    package var fault: PlatformFault { self }
}

extension PlatformFault {
    /// Any error as a fault: typed errors keep their code, everything else is SP-5000.
    package init(from error: any Error) {
        if let convertible = error as? any FaultConvertible {
            self = convertible.fault
        } else {
            self = PlatformFault(.internalError, "internal error")
        }
    }
}
