#define _GNU_SOURCE
#include <fcntl.h>
#include "CStorageShims.h"

/* The leading fields of SQLite's `struct unixFile` (os_unix.c), unchanged since SQLite 3.7:
   the methods, the VFS, the inode record, then the descriptor. */
struct unix_file_prefix {
    const void *methods;
    void *vfs;
    void *inode;
    int descriptor;
};

int cstorageshims_unix_vfs_descriptor(const void *sqliteFile) {
    return ((const struct unix_file_prefix *)sqliteFile)->descriptor;
}

int cstorageshims_write_back(int fd, long long offset, long long length) {
    return sync_file_range(fd, offset, length,
                           SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
}
