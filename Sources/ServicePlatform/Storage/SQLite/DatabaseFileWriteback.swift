import CStorageShims
import Glibc
import GRDBSQLite

/// Writes a database file's dirty pages back slice by slice before the fsync that makes a
/// checkpoint durable, so that the disk never holds more than a slice of them at once.
///
/// Why: the background checkpoint's fsync wrote a few hundred scattered pages in one burst
/// (10–13 ms on this machine's virtual disk, 200–350 requests in flight), and an audit
/// commit's WAL fsync that came meanwhile waited behind all of them: 24 of the 38 WAL fsyncs over
/// 1.5 ms in a 6 s trace at 900 calls/s overlapped such a burst, which took 2 % of the time.
/// Written back ~32 pages at a time, a commit waits behind one slice at most; the fsync after
/// finds the pages clean and flushes the device.
package enum DatabaseFileWriteback {
    /// Pages a slice should hold, if the copied pages are spread evenly over the file.
    package static let pagesPerSlice = 32
    /// No slice smaller than this: a small file is written back in one go.
    package static let smallestSlice: Int64 = 65_536

    /// Byte ranges that cover a file of `fileSize` bytes in order, without gaps or overlap,
    /// about one per `pagesPerSlice` of the `pagesCopied` pages (page-aligned, at least
    /// `smallestSlice`).
    package static func slices(fileSize: Int64, pagesCopied: Int) -> [Range<Int64>] {
        guard fileSize > 0 else { return [] }
        let count = Int64(max(1, pagesCopied / pagesPerSlice))
        let length = max(smallestSlice, (fileSize / count + 4_095) / 4_096 * 4_096)
        return stride(from: Int64(0), to: fileSize, by: Int(length)).map { $0..<min($0 + length, fileSize) }
    }

    /// The descriptor SQLite reads and writes `db`'s main file through, checked to be that
    /// file (same device and inode); nil otherwise, e.g. for an in-memory database. Only a file
    /// of one of SQLite's unix VFSes is read: another VFS's file object has another layout.
    /// (`WALGathering`'s VFS, "unix-wal-gathering", opens database files as the unix VFS's own.)
    package static func descriptor(of db: OpaquePointer) -> Int32? {
        var vfs: UnsafeMutablePointer<sqlite3_vfs>?
        guard sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) == SQLITE_OK, let name = vfs?.pointee.zName,
              String(cString: name).hasPrefix("unix") else { return nil }
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK, let file,
              let path = sqlite3_db_filename(db, "main"), path.pointee != 0 else { return nil }
        let fd = cstorageshims_unix_vfs_descriptor(file)
        var viaDescriptor = stat(), viaPath = stat()
        guard fd >= 0, fstat(fd, &viaDescriptor) == 0, stat(path, &viaPath) == 0,
              viaDescriptor.st_dev == viaPath.st_dev, viaDescriptor.st_ino == viaPath.st_ino else { return nil }
        return fd
    }

    /// Writes the dirty pages of `fd` back and waits for them, slice by slice (no device
    /// flush); false if a call failed, which leaves the rest to the fsync that follows.
    package static func writeBack(_ fd: Int32, pagesCopied: Int) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        for slice in slices(fileSize: Int64(info.st_size), pagesCopied: pagesCopied) {
            if cstorageshims_write_back(fd, slice.lowerBound, slice.upperBound - slice.lowerBound) != 0 { return false }
        }
        return true
    }
}
