/* A VFS over SQLite's default (unix) one that gathers what one connection writes to its WAL
   between two syncs and hands it to the file in one write at the sync.

   Why: SQLite writes each WAL frame as two pwrites (its 24-byte header, then the page), so an
   audit commit of a few calls is ~40 system calls before its fsync. On this machine's disk, 19
   frames written as 38 pwrites + fdatasync cost 132-164 us of system CPU, the same bytes as one
   pwrite + fdatasync 44-60 us (scripts/bench.d/wal_writes.py).

   Where it is safe: only on a connection whose every commit syncs the WAL (synchronous = FULL).
   SQLite writes a commit's frames, syncs the WAL, and only then publishes them to other
   connections in the wal-index; the gathered bytes reach the file at that sync, before anyone
   can look for them. Under NORMAL a commit is published without a sync, so gathering is off
   unless the owner of the connection turns it on (`cstorageshims_wal_gather_commits`), which
   the store does only for its audit writer, after checking FULL.

   Everything else is passed through: database and journal files are the unix VFS's own file
   objects (same layout, so their descriptor can still be read), and a WAL file that does not
   gather calls straight through to the unix file. Before anything that reads, sizes, truncates,
   syncs or closes the WAL, or writes anywhere but right after the gathered bytes, those bytes
   are written first: the file then looks exactly as it would without this layer. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "CStorageShims.h"

/* A commit larger than this goes to the file as it comes (one write per SQLite write). */
#define GATHER_LIMIT (4 << 20)
/* The unix VFS writes at most 0x1ffff bytes per call (os_unix.c masks the length with it, and
   a length that masks to 0 fails as SQLITE_FULL), so gathered bytes go in pieces of this. */
#define WRITE_LIMIT ((size_t)126976)

typedef struct {
    sqlite3_file base;
    sqlite3_file *real;          /* the unix VFS's file, in the bytes after this struct */
    int gathering;
    unsigned char *buffer;
    size_t used;
    size_t capacity;
    sqlite3_int64 start;         /* file offset of buffer[0] */
    long long writes;            /* writes that reached the file, for tests */
} WALFile;

static sqlite3_vfs *root;
static sqlite3_vfs gatheringVFS;
static sqlite3_io_methods walMethods;

static size_t walFileSize(void) {
    /* The unix file follows, 8-byte aligned. */
    return (sizeof(WALFile) + 7) & ~(size_t)7;
}

static int writeGathered(WALFile *f) {
    int rc = SQLITE_OK;
    for (size_t done = 0; done < f->used && rc == SQLITE_OK; done += WRITE_LIMIT) {
        size_t n = f->used - done < WRITE_LIMIT ? f->used - done : WRITE_LIMIT;
        rc = f->real->pMethods->xWrite(f->real, f->buffer + done, (int)n, f->start + (sqlite3_int64)done);
        f->writes += 1;
    }
    /* Written or failed, the bytes are gone: a failed write fails the commit, which SQLite
       then rolls back, and the next transaction writes its frames again. */
    f->used = 0;
    return rc;
}

static int walClose(sqlite3_file *p) {
    WALFile *f = (WALFile *)p;
    int rc = writeGathered(f);
    int closed = f->real->pMethods->xClose(f->real);
    free(f->buffer);
    f->buffer = NULL;
    f->capacity = 0;
    return rc != SQLITE_OK ? rc : closed;
}

static int walRead(sqlite3_file *p, void *out, int n, sqlite3_int64 offset) {
    WALFile *f = (WALFile *)p;
    int rc = writeGathered(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xRead(f->real, out, n, offset);
}

static int walWrite(sqlite3_file *p, const void *data, int n, sqlite3_int64 offset) {
    WALFile *f = (WALFile *)p;
    if (!f->gathering) {
        f->writes += 1;
        return f->real->pMethods->xWrite(f->real, data, n, offset);
    }
    int rc;
    /* Anywhere but right after the gathered bytes (a frame rewritten, the header after a
       restart): what is gathered goes first, so writes reach the file in SQLite's order. */
    if (f->used > 0 && offset != f->start + (sqlite3_int64)f->used) {
        if ((rc = writeGathered(f)) != SQLITE_OK) return rc;
    }
    if (f->used + (size_t)n > GATHER_LIMIT) {
        if ((rc = writeGathered(f)) != SQLITE_OK) return rc;
        f->writes += 1;
        return f->real->pMethods->xWrite(f->real, data, n, offset);
    }
    if (f->used + (size_t)n > f->capacity) {
        size_t capacity = f->capacity ? f->capacity : 65536;
        while (capacity < f->used + (size_t)n) capacity *= 2;
        unsigned char *grown = realloc(f->buffer, capacity);
        if (grown == NULL) {
            if ((rc = writeGathered(f)) != SQLITE_OK) return rc;
            f->writes += 1;
            return f->real->pMethods->xWrite(f->real, data, n, offset);
        }
        f->buffer = grown;
        f->capacity = capacity;
    }
    if (f->used == 0) f->start = offset;
    memcpy(f->buffer + f->used, data, (size_t)n);
    f->used += (size_t)n;
    return SQLITE_OK;
}

static int walTruncate(sqlite3_file *p, sqlite3_int64 size) {
    WALFile *f = (WALFile *)p;
    int rc = writeGathered(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xTruncate(f->real, size);
}

static int walSync(sqlite3_file *p, int flags) {
    WALFile *f = (WALFile *)p;
    int rc = writeGathered(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xSync(f->real, flags);
}

static int walFileSizeOf(sqlite3_file *p, sqlite3_int64 *size) {
    WALFile *f = (WALFile *)p;
    int rc = writeGathered(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int walLock(sqlite3_file *p, int level) {
    WALFile *f = (WALFile *)p;
    return f->real->pMethods->xLock(f->real, level);
}

static int walUnlock(sqlite3_file *p, int level) {
    WALFile *f = (WALFile *)p;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int walCheckReservedLock(sqlite3_file *p, int *out) {
    WALFile *f = (WALFile *)p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int walFileControl(sqlite3_file *p, int op, void *arg) {
    WALFile *f = (WALFile *)p;
    int rc = writeGathered(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int walSectorSize(sqlite3_file *p) {
    WALFile *f = (WALFile *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int walDeviceCharacteristics(sqlite3_file *p) {
    WALFile *f = (WALFile *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int vfsOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL)) return root->xOpen(root, name, file, flags, outFlags);
    WALFile *f = (WALFile *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)((unsigned char *)file + walFileSize());
    int rc = root->xOpen(root, name, f->real, flags, outFlags);
    /* Closed through us only if the unix file was opened (SQLite calls xClose when pMethods is set). */
    if (f->real->pMethods != NULL) f->base.pMethods = &walMethods;
    return rc;
}

static int vfsDelete(sqlite3_vfs *v, const char *name, int syncDir) { (void)v; return root->xDelete(root, name, syncDir); }
static int vfsAccess(sqlite3_vfs *v, const char *name, int flags, int *out) { (void)v; return root->xAccess(root, name, flags, out); }
static int vfsFullPathname(sqlite3_vfs *v, const char *name, int n, char *out) { (void)v; return root->xFullPathname(root, name, n, out); }
static void *vfsDlOpen(sqlite3_vfs *v, const char *name) { (void)v; return root->xDlOpen(root, name); }
static void vfsDlError(sqlite3_vfs *v, int n, char *out) { (void)v; root->xDlError(root, n, out); }
static void (*vfsDlSym(sqlite3_vfs *v, void *handle, const char *symbol))(void) { (void)v; return root->xDlSym(root, handle, symbol); }
static void vfsDlClose(sqlite3_vfs *v, void *handle) { (void)v; root->xDlClose(root, handle); }
static int vfsRandomness(sqlite3_vfs *v, int n, char *out) { (void)v; return root->xRandomness(root, n, out); }
static int vfsSleep(sqlite3_vfs *v, int micros) { (void)v; return root->xSleep(root, micros); }
static int vfsCurrentTime(sqlite3_vfs *v, double *out) { (void)v; return root->xCurrentTime(root, out); }
static int vfsGetLastError(sqlite3_vfs *v, int n, char *out) { (void)v; return root->xGetLastError(root, n, out); }
static int vfsCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) { (void)v; return root->xCurrentTimeInt64(root, out); }
static int vfsSetSystemCall(sqlite3_vfs *v, const char *name, sqlite3_syscall_ptr call) { (void)v; return root->xSetSystemCall(root, name, call); }
static sqlite3_syscall_ptr vfsGetSystemCall(sqlite3_vfs *v, const char *name) { (void)v; return root->xGetSystemCall(root, name); }
static const char *vfsNextSystemCall(sqlite3_vfs *v, const char *name) { (void)v; return root->xNextSystemCall(root, name); }

static int installResult = SQLITE_ERROR;
static pthread_once_t installOnce = PTHREAD_ONCE_INIT;

static void install(void) {
    root = sqlite3_vfs_find(NULL);
    /* Only over the unix VFS, version 3 (every SQLite since 3.7.6): another default (a test
       harness's, an encrypting one) is left alone. */
    if (root == NULL || root->iVersion < 3 || strncmp(root->zName, "unix", 4) != 0) return;
    walMethods = (sqlite3_io_methods){
        .iVersion = 1,
        .xClose = walClose, .xRead = walRead, .xWrite = walWrite, .xTruncate = walTruncate, .xSync = walSync,
        .xFileSize = walFileSizeOf, .xLock = walLock, .xUnlock = walUnlock, .xCheckReservedLock = walCheckReservedLock,
        .xFileControl = walFileControl, .xSectorSize = walSectorSize, .xDeviceCharacteristics = walDeviceCharacteristics,
    };
    gatheringVFS = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = (int)walFileSize() + root->szOsFile,
        .mxPathname = root->mxPathname,
        .zName = CSTORAGESHIMS_WAL_GATHERING_VFS,
        .xOpen = vfsOpen, .xDelete = vfsDelete, .xAccess = vfsAccess, .xFullPathname = vfsFullPathname,
        .xDlOpen = vfsDlOpen, .xDlError = vfsDlError, .xDlSym = vfsDlSym, .xDlClose = vfsDlClose,
        .xRandomness = vfsRandomness, .xSleep = vfsSleep, .xCurrentTime = vfsCurrentTime, .xGetLastError = vfsGetLastError,
        .xCurrentTimeInt64 = vfsCurrentTimeInt64,
        .xSetSystemCall = vfsSetSystemCall, .xGetSystemCall = vfsGetSystemCall, .xNextSystemCall = vfsNextSystemCall,
    };
    installResult = sqlite3_vfs_register(&gatheringVFS, 1);
}

int cstorageshims_wal_gathering_install(void) {
    pthread_once(&installOnce, install);
    return installResult == SQLITE_OK;
}

static WALFile *walFileOf(void *db) {
    sqlite3_file *file = NULL;
    if (sqlite3_file_control((sqlite3 *)db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) != SQLITE_OK) return NULL;
    if (file == NULL || file->pMethods != &walMethods) return NULL;
    return (WALFile *)file;
}

/* Without power-safe overwrite SQLite pads a commit to the sector boundary and writes the last
   frame's tail after the sync (wal.c, walWriteToLog): bytes published but not synced, which a
   gathering file would still hold. Such a connection is never gathered. */
static int powersafeOverwrite(sqlite3_file *file) {
    return file != NULL && file->pMethods != NULL
        && (file->pMethods->xDeviceCharacteristics(file) & SQLITE_IOCAP_POWERSAFE_OVERWRITE) != 0;
}

int cstorageshims_wal_gather_commits(void *db) {
    WALFile *f = walFileOf(db);
    sqlite3_file *main = NULL;
    if (f == NULL || sqlite3_file_control((sqlite3 *)db, "main", SQLITE_FCNTL_FILE_POINTER, &main) != SQLITE_OK) return 0;
    if (!powersafeOverwrite(main) || !powersafeOverwrite(f->real)) return 0;
    f->gathering = 1;
    return 1;
}

long long cstorageshims_wal_file_writes(void *db) {
    WALFile *f = walFileOf(db);
    return f == NULL ? -1 : f->writes;
}
