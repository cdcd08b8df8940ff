#ifndef CSTORAGESHIMS_H
#define CSTORAGESHIMS_H
/* Linux file calls Swift's Glibc module does not import, and a VFS layer, for the SQLite store. */

/// The descriptor inside SQLite's unix VFS file object (`sqlite3_file *` of the unix VFS).
/// The caller must check that it is the database file's (same device and inode) before use.
int cstorageshims_unix_vfs_descriptor(const void *sqliteFile);

/// Writes back the dirty pages of [offset, offset + length) of `fd` and waits for them
/// (sync_file_range with WAIT_BEFORE | WRITE | WAIT_AFTER): no device flush. 0 or -1 (errno).
int cstorageshims_write_back(int fd, long long offset, long long length);

/// The name of the VFS `cstorageshims_wal_gathering_install` registers (as the default).
#define CSTORAGESHIMS_WAL_GATHERING_VFS "unix-wal-gathering"

/// Registers, once per process and as SQLite's default, a VFS over the unix one whose WAL files
/// can gather a connection's writes between two syncs into one write (see wal_gathering.c).
/// Database and journal files are the unix VFS's own. 1 when installed (now or before), 0 if
/// the default VFS was not a unix one or registration failed. Connections opened before keep
/// their VFS.
int cstorageshims_wal_gathering_install(void);

/// Turns gathering on for the WAL of connection `db` (an `sqlite3 *`). Only for a connection
/// whose commits all sync the WAL (synchronous = FULL): under NORMAL a commit is visible to
/// other connections before any sync. 1 if turned on; 0 if `db` has no WAL of that VFS open,
/// or its files are not power-safe to overwrite (SQLite then writes past the commit's sync).
int cstorageshims_wal_gather_commits(void *db);

/// How many writes `db`'s WAL file has handed to the file system since it was opened
/// (gathered or not); -1 if `db` has no WAL of that VFS open. For tests.
long long cstorageshims_wal_file_writes(void *db);

#endif
