import Foundation

/// How available the service is, as the status page says it. The raw values are the wire
/// names of `/status.json`; `danish` is the text a person reads.
package enum ServiceAvailability: String, Sendable, Codable, CaseIterable {
    case full = "Fuldt tilgaengelig"
    case partial = "Delvist tilgaengelig"
    case unavailable = "Ikke tilgaengelig"

    /// Short code stored with each probe round and used in metrics.
    package var code: String {
        switch self {
        case .full: "full"
        case .partial: "partial"
        case .unavailable: "unavailable"
        }
    }

    package init?(code: String) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }

    package var danish: String {
        switch self {
        case .full: "Fuldt tilgængelig"
        case .partial: "Delvist tilgængelig"
        case .unavailable: "Ikke tilgængelig"
        }
    }
}

/// One receiver's state: from its latest probe of the endpoint now registered.
package enum ReceiverAvailability: String, Sendable, Codable {
    case up = "Tilgaengelig"
    case down = "Ikke tilgaengelig"
    /// Not probed yet at its current endpoint.
    case unknown = "Ukendt"

    package var danish: String {
        switch self {
        case .up: "Tilgængelig"
        case .down: "Ikke tilgængelig"
        case .unknown: "Ukendt"
        }
    }
}

/// The rules that turn measurements into a state; nothing on the status page is set by hand.
///
/// - A receiver is *up* when its latest probe (a TLS connection and an HTTPS GET of its
///   endpoint with the platform's client certificate) got any HTTP answer, *down* when the
///   connection, the TLS handshake or the answer failed or timed out, *unknown* until its
///   current endpoint has been probed.
/// - The service is **Ikke tilgaengelig** when no receiver is registered, when every probed
///   receiver is down, or when each of the last `recentCallCount` calls within
///   `recentCallWindow` ended in SP-3002 (receiver unavailable) or SP-5000 (internal error).
/// - It is **Delvist tilgaengelig** when some, but not all, receivers are down.
/// - Otherwise it is **Fuldt tilgaengelig**.
/// - Uptime over 30 days is the share of probe rounds whose recorded state was not
///   Ikke tilgaengelig; the median response time is over the calls of the last hour that
///   ended in a receipt (Modtaget or Afvist).
package struct StatusRules: Sendable {
    /// N: how many of the latest calls are looked at.
    package var recentCallCount = 5
    /// Only calls this recent count.
    package var recentCallWindow: TimeInterval = 15 * 60
    /// Outcomes that mean the platform could not deliver.
    package static let deliveryFailures: Set<String> = ["SP-3002", "SP-5000"]
    /// Outcomes that are receipts: the calls whose response time is reported.
    package static let receiptOutcomes = ["Modtaget", "Afvist"]
    package static let uptimeWindow: TimeInterval = 30 * 86_400
    package static let responseTimeWindow: TimeInterval = 3_600

    package init() {}

    package struct Verdict: Sendable, Equatable {
        package var state: ServiceAvailability
        /// Why, in words, for the page.
        package var reasons: [String]
    }

    /// `recentOutcomes`: the outcomes of the latest calls within the window, newest first.
    package func serviceState(receivers: [ReceiverAvailability], recentOutcomes: [String]) -> Verdict {
        if receivers.isEmpty {
            return Verdict(state: .unavailable, reasons: ["no receiver is registered"])
        }
        let latest = recentOutcomes.prefix(recentCallCount)
        if latest.count == recentCallCount, latest.allSatisfy(Self.deliveryFailures.contains) {
            return Verdict(state: .unavailable,
                           reasons: ["the last \(recentCallCount) calls all ended in SP-3002 or SP-5000"])
        }
        let down = receivers.filter { $0 == .down }.count
        let probed = receivers.filter { $0 != .unknown }.count
        if probed > 0, down == probed, probed == receivers.count {
            return Verdict(state: .unavailable, reasons: [receivers.count == 1 ? "the receiver is down" : "every receiver is down"])
        }
        if down > 0 {
            return Verdict(state: .partial, reasons: ["\(down) of \(receivers.count) receivers down"])
        }
        return Verdict(state: .full, reasons: [])
    }
}
