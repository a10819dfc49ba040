// The WAL-gathering VFS (CILOWALGather.h). Every method of a file passes to the
// file the system VFS opened; a WAL file's writes wait in `buffer` while they
// are contiguous, and go out before anything that could observe the file.
#include "CILOWALGather.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

// At most this much waits in memory; a larger transaction writes as it goes.
#define GATHER_LIMIT (4 << 20)
// SQLite's unix VFS masks one write to 17 bits (128 KiB - 1): larger writes
// are handed to it in pieces of this size.
#define SYSTEM_WRITE_PIECE (64 << 10)

typedef struct GatherFile {
    sqlite3_file base;   // methods: gather_methods[version - 1]
    sqlite3_file *real;  // the system VFS's file, allocated right after this struct
    int gathers;         // a WAL file
    unsigned char *buffer;
    sqlite3_int64 start;  // file offset of buffer[0]
    int length;
    int capacity;
} GatherFile;

static sqlite3_vfs gather_vfs;
static sqlite3_vfs *system_vfs;
static int registered = SQLITE_ERROR;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Atomic long long system_writes;
static _Atomic long long sqlite_writes;

static int system_write(GatherFile *f, const unsigned char *bytes, int amount, sqlite3_int64 offset) {
    while (amount > 0) {
        int piece = amount < SYSTEM_WRITE_PIECE ? amount : SYSTEM_WRITE_PIECE;
        atomic_fetch_add_explicit(&system_writes, 1, memory_order_relaxed);
        int rc = f->real->pMethods->xWrite(f->real, bytes, piece, offset);
        if (rc != SQLITE_OK) return rc;
        bytes += piece;
        offset += piece;
        amount -= piece;
    }
    return SQLITE_OK;
}

// Writes what waits. On an error the waiting bytes are dropped, as a failed
// pwrite leaves its range undefined; SQLite fails the transaction.
static int flush(GatherFile *f) {
    if (f->length == 0) return SQLITE_OK;
    int length = f->length;
    f->length = 0;
    return system_write(f, f->buffer, length, f->start);
}

static int g_close(sqlite3_file *file) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    int closed = f->real->pMethods->xClose(f->real);
    free(f->buffer);
    f->buffer = NULL;
    f->capacity = 0;
    return rc != SQLITE_OK ? rc : closed;
}

static int g_read(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xRead(f->real, out, amount, offset);
}

static int g_write(sqlite3_file *file, const void *bytes, int amount, sqlite3_int64 offset) {
    GatherFile *f = (GatherFile *)file;
    if (!f->gathers) return f->real->pMethods->xWrite(f->real, bytes, amount, offset);
    atomic_fetch_add_explicit(&sqlite_writes, 1, memory_order_relaxed);
    int rc;
    // Only a write that continues the waiting bytes joins them.
    if (f->length > 0 && (offset != f->start + f->length || f->length + amount > GATHER_LIMIT)) {
        if ((rc = flush(f)) != SQLITE_OK) return rc;
    }
    if (amount > GATHER_LIMIT) return system_write(f, bytes, amount, offset);
    if (f->length + amount > f->capacity) {
        int capacity = f->capacity ? f->capacity : 256 << 10;
        while (capacity < f->length + amount) capacity *= 2;
        unsigned char *grown = realloc(f->buffer, (size_t)capacity);
        if (grown == NULL) {
            if ((rc = flush(f)) != SQLITE_OK) return rc;
            return system_write(f, bytes, amount, offset);
        }
        f->buffer = grown;
        f->capacity = capacity;
    }
    if (f->length == 0) f->start = offset;
    memcpy(f->buffer + f->length, bytes, (size_t)amount);
    f->length += amount;
    return SQLITE_OK;
}

static int g_truncate(sqlite3_file *file, sqlite3_int64 size) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xTruncate(f->real, size);
}

static int g_sync(sqlite3_file *file, int flags) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xSync(f->real, flags);
}

static int g_file_size(sqlite3_file *file, sqlite3_int64 *size) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int g_lock(sqlite3_file *file, int level) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int g_unlock(sqlite3_file *file, int level) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int g_check_reserved_lock(sqlite3_file *file, int *out) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int g_file_control(sqlite3_file *file, int op, void *argument) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);  // whatever the control observes, it sees every byte written
    if (rc != SQLITE_OK) return rc;
    if (op == SQLITE_FCNTL_VFSNAME) {
        int inner = f->real->pMethods->xFileControl(f->real, op, argument);
        if (inner == SQLITE_OK) {
            char *below = *(char **)argument;
            *(char **)argument = sqlite3_mprintf("%s/%z", gather_vfs.zName, below);
        }
        return inner;
    }
    return f->real->pMethods->xFileControl(f->real, op, argument);
}

static int g_sector_size(sqlite3_file *file) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int g_device_characteristics(sqlite3_file *file) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int g_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int g_shm_lock(sqlite3_file *file, int offset, int n, int flags) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void g_shm_barrier(sqlite3_file *file) {
    GatherFile *f = (GatherFile *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int g_shm_unmap(sqlite3_file *file, int delete_flag) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int g_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

static int g_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *page) {
    GatherFile *f = (GatherFile *)file;
    return f->real->pMethods->xUnfetch(f->real, offset, page);
}

#define GATHER_METHODS(version)                                                                                      \
    {                                                                                                                \
        version, g_close, g_read, g_write, g_truncate, g_sync, g_file_size, g_lock, g_unlock, g_check_reserved_lock, \
            g_file_control, g_sector_size, g_device_characteristics, g_shm_map, g_shm_lock, g_shm_barrier,           \
            g_shm_unmap, g_fetch, g_unfetch                                                                          \
    }

// One table per version of the file the system VFS opened: SQLite calls the
// shared-memory and fetch methods only when the version says they are there.
static const sqlite3_io_methods gather_methods[3] = {GATHER_METHODS(1), GATHER_METHODS(2), GATHER_METHODS(3)};

static int g_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
    (void)vfs;
    GatherFile *f = (GatherFile *)file;
    memset(f, 0, sizeof(GatherFile));
    f->real = (sqlite3_file *)&f[1];
    int rc = system_vfs->xOpen(system_vfs, name, f->real, flags, out_flags);
    if (f->real->pMethods == NULL) {
        f->base.pMethods = NULL;  // nothing to close
        return rc;
    }
    int version = f->real->pMethods->iVersion;
    if (version < 1) version = 1;
    if (version > 3) version = 3;
    f->base.pMethods = &gather_methods[version - 1];
    f->gathers = (flags & SQLITE_OPEN_WAL) != 0;
    return rc;
}

static void register_once(void) {
    system_vfs = sqlite3_vfs_find(NULL);
    if (system_vfs == NULL) return;
    // Everything but opening a file is the system VFS's own (its functions use
    // only pAppData of the VFS they are given).
    gather_vfs = *system_vfs;
    gather_vfs.pNext = NULL;
    gather_vfs.zName = ILO_WAL_GATHER_VFS;
    gather_vfs.szOsFile = (int)sizeof(GatherFile) + system_vfs->szOsFile;
    gather_vfs.xOpen = g_open;
    registered = sqlite3_vfs_register(&gather_vfs, 0);
}

int ilo_wal_gather_register(void) {
    pthread_once(&once, register_once);
    return registered;
}

void ilo_wal_gather_counts(long long *system, long long *sqlite) {
    *system = atomic_load_explicit(&system_writes, memory_order_relaxed);
    *sqlite = atomic_load_explicit(&sqlite_writes, memory_order_relaxed);
}
