import Foundation
import GRDB
import ServicePlatform
import Testing

/// The checkpoint's write-back in slices: every byte of the file in exactly one slice, and
/// never a descriptor that is not the database file's (writing back another file is harmless,
/// but skipping the database's would bring the burst back unnoticed).
@Suite("Database file write-back in slices")
struct DatabaseFileWritebackTests {
    private static func covers(_ slices: [Range<Int64>], _ size: Int64) -> Bool {
        var next: Int64 = 0
        for slice in slices {
            guard slice.lowerBound == next, !slice.isEmpty else { return false }
            next = slice.upperBound
        }
        return next == size
    }

    @Test("slices cover the file in order without gaps or overlap, about one per 32 copied pages", arguments: [
        (Int64(100 * 1_048_576), 320), (Int64(100 * 1_048_576), 0), (Int64(3 * 1_048_576 + 123), 1_000), (Int64(4_096), 500),
        (Int64(2_000_000_000), 50_000),
    ])
    func slicesCoverFile(size: Int64, pages: Int) {
        let slices = DatabaseFileWriteback.slices(fileSize: size, pagesCopied: pages)
        #expect(Self.covers(slices, size))
        #expect(slices.dropLast().allSatisfy { $0.count % 4_096 == 0 && Int64($0.count) >= DatabaseFileWriteback.smallestSlice })
        let wanted = max(1, pages / DatabaseFileWriteback.pagesPerSlice)
        let largestByMinimum = Int((size + DatabaseFileWriteback.smallestSlice - 1) / DatabaseFileWriteback.smallestSlice)
        // Page-aligned lengths round up, so a few slices fewer than wanted on a large file.
        #expect(slices.count <= wanted + 1)
        #expect(Double(slices.count) >= Double(min(wanted, largestByMinimum)) * 0.99)
    }

    @Test("an empty file has no slice to write back")
    func emptyFile() {
        #expect(DatabaseFileWriteback.slices(fileSize: 0, pagesCopied: 100).isEmpty)
    }

    @Test("the descriptor found is the database file's own (same device and inode), and writing back through it works")
    func descriptorIsTheDatabaseFile() throws {
        let dir = NSTemporaryDirectory() + "sp-writeback-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/platform.sqlite"
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (v BLOB)")
            for _ in 0..<200 { try db.execute(sql: "INSERT INTO t VALUES (randomblob(4000))") }
        }
        try queue.inDatabase { db in
            let connection = try #require(db.sqliteConnection)
            let fd = try #require(DatabaseFileWriteback.descriptor(of: connection))
            var viaDescriptor = stat(), viaPath = stat()
            #expect(fstat(fd, &viaDescriptor) == 0 && stat(path, &viaPath) == 0)
            #expect(viaDescriptor.st_ino == viaPath.st_ino && viaDescriptor.st_dev == viaPath.st_dev)
            #expect(DatabaseFileWriteback.writeBack(fd, pagesCopied: 200))
        }
    }

    @Test("an in-memory database has no file, so no descriptor (the fsync alone runs)")
    func noDescriptorInMemory() throws {
        let queue = try DatabaseQueue()
        try queue.inDatabase { db in
            let connection = try #require(db.sqliteConnection)
            #expect(DatabaseFileWriteback.descriptor(of: connection) == nil)
        }
    }
}
