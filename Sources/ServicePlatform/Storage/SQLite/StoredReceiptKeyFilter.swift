import Synchronization

/// The (caller, BeskedID) keys of the stored receipts as a Bloom filter, so the idempotency
/// look-up reads SQLite only for a key that may be there. Almost every call brings a new
/// BeskedID, and the read it no longer makes (a read transaction, a page cache SQLite drops
/// after every commit, ~6 page reads) was ~10 % of the router's CPU per call.
///
/// A key is added before its receipt's transaction starts, so a look-up that could find the
/// receipt in SQLite finds the key here first; a key whose write failed only costs a read. The
/// filter knows every key only because this process is its database's one writer (SQLite,
/// loaded at start from the table). It never says no for a key it was given (no false
/// negatives, whatever BeskedIDs a caller picks); it says maybe for a few in a thousand others.
///
/// Each key sets 8 bits in one 512-bit block (one cache line). When a level holds its
/// capacity, a level twice as large is added, so memory follows the table: 2–4 bytes a key.
package final class StoredReceiptKeyFilter: Sendable {
    private struct Level {
        var words: [UInt64]
        let capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            // 16 bits a key, whole 512-bit blocks, a power of two of them.
            var blocks = 1
            while blocks * 512 < capacity * 16 { blocks <<= 1 }
            words = Array(repeating: 0, count: blocks * 8)
        }

        /// The key's block, and where in it its first bit is and how far apart the 8 are (an
        /// odd step, so the 8 are distinct).
        private func placement(_ hash: UInt64) -> (base: Int, start: Int, step: Int) {
            let block = Int(truncatingIfNeeded: hash) & (words.count / 8 - 1)
            return (block * 8, Int(truncatingIfNeeded: hash >> 40) & 511, (Int(truncatingIfNeeded: hash >> 49) & 511) | 1)
        }

        mutating func insert(_ hash: UInt64) {
            var (base, bit, step) = placement(hash)
            for _ in 0..<8 {
                words[base + bit >> 6] |= 1 << UInt64(bit & 63)
                bit = (bit + step) & 511
            }
            count += 1
        }

        func mayContain(_ hash: UInt64) -> Bool {
            var (base, bit, step) = placement(hash)
            for _ in 0..<8 {
                if words[base + bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
                bit = (bit + step) & 511
            }
            return true
        }
    }

    private let levels: Mutex<[Level]>

    /// Room for `expected` keys before the first larger level is added.
    package init(expected: Int) {
        levels = Mutex([Level(capacity: max(1 << 16, expected * 2))])
    }

    package func insert(callerSystem: String, beskedID: String) {
        let hash = Self.hash(callerSystem, beskedID)
        levels.withLock { levels in
            if levels[levels.count - 1].count >= levels[levels.count - 1].capacity {
                levels.append(Level(capacity: levels[levels.count - 1].capacity * 2))
            }
            levels[levels.count - 1].insert(hash)
        }
    }

    /// False only for a key never inserted.
    package func mayContain(callerSystem: String, beskedID: String) -> Bool {
        let hash = Self.hash(callerSystem, beskedID)
        return levels.withLock { levels in levels.contains { $0.mayContain(hash) } }
    }

    /// Bytes of bits held (for the README's memory figure and the tests).
    package var byteCount: Int { levels.withLock { $0.reduce(0) { $0 + $1.words.count * 8 } } }

    /// SipHash with this process's random seed, over the UTF-8 bytes (a caller choosing
    /// BeskedIDs cannot aim at one block); the caller's length keeps the two parts apart.
    private static func hash(_ callerSystem: String, _ beskedID: String) -> UInt64 {
        var hasher = Hasher()
        var caller = callerSystem
        var besked = beskedID
        caller.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(callerSystem.utf8.count)
        besked.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
