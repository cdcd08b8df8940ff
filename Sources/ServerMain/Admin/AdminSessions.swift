import Crypto
import Foundation
import SOAPCodec
import Synchronization

/// A browser's login: the session id lives only in the cookie and (hashed) here, never the
/// admin token; the CSRF token goes into every form of the session's pages.
struct AdminSession: Sendable {
    let csrfToken: String
    let created: Date
    var lastSeen: Date
    /// A one-time notice for the next page (e.g. "System registered").
    var flash: String?
}

/// The sessions of the admin pages, in memory: a restart logs everyone out. Idle sessions end
/// after `idleTimeout`, any session after `maximumAge`.
final class AdminSessions: Sendable {
    static let cookieName = "sp_admin_session"
    let idleTimeout: TimeInterval
    let maximumAge: TimeInterval
    /// By SHA-256 of the session id, so a memory dump does not hand out live cookies.
    private let sessions = Mutex<[String: AdminSession]>([:])

    init(idleTimeout: TimeInterval = 2 * 3600, maximumAge: TimeInterval = 12 * 3600) {
        self.idleTimeout = idleTimeout
        self.maximumAge = maximumAge
    }

    /// A new session; returns its id (for the cookie).
    func create(now: Date = Date()) -> (id: String, session: AdminSession) {
        let id = Self.randomToken(), session = AdminSession(csrfToken: Self.randomToken(), created: now, lastSeen: now)
        sessions.withLock { all in
            all = all.filter { !expired($0.value, now: now) }
            all[Self.key(id)] = session
        }
        return (id, session)
    }

    /// The live session for a cookie value, touched; nil when unknown or expired.
    func session(for id: String, now: Date = Date()) -> AdminSession? {
        sessions.withLock { all in
            let key = Self.key(id)
            guard var session = all[key] else { return nil }
            guard !expired(session, now: now) else { all[key] = nil; return nil }
            session.lastSeen = now
            all[key] = session
            return session
        }
    }

    /// Takes the flash message out of the session.
    func takeFlash(for id: String) -> String? {
        sessions.withLock { all in
            let key = Self.key(id)
            let flash = all[key]?.flash
            all[key]?.flash = nil
            return flash
        }
    }

    func setFlash(_ text: String, for id: String) {
        sessions.withLock { $0[Self.key(id)]?.flash = text }
    }

    func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: Self.key(id)) }
    }

    private func expired(_ session: AdminSession, now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeen) > idleTimeout || now.timeIntervalSince(session.created) > maximumAge
    }

    private static func key(_ id: String) -> String {
        Hex.encode(SHA256.hash(data: Array(id.utf8)))
    }

    /// 32 random bytes, hex.
    static func randomToken() -> String {
        return Hex.random(count: 32)
    }

    /// Constant-time comparison of two tokens.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
