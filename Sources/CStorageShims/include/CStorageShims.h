#ifndef CSTORAGESHIMS_H
#define CSTORAGESHIMS_H
/* Linux file calls Swift's Glibc module does not import, for the SQLite store. */

/// The descriptor inside SQLite's unix VFS file object (`sqlite3_file *` of the unix VFS).
/// The caller must check that it is the database file's (same device and inode) before use.
int cstorageshims_unix_vfs_descriptor(const void *sqliteFile);

/// Writes back the dirty pages of [offset, offset + length) of `fd` and waits for them
/// (sync_file_range with WAIT_BEFORE | WRITE | WAIT_AFTER): no device flush. 0 or -1 (errno).
int cstorageshims_write_back(int fd, long long offset, long long length);

#endif
