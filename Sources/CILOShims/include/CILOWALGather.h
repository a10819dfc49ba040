// A SQLite VFS that gathers the writes to a WAL file (issue 32). SQLite writes
// each WAL frame with two calls (the 24-byte frame header, then the page), so a
// commit of 30 pages made 60 pwrite calls; this VFS keeps contiguous writes to
// a WAL file in memory and hands them to the system VFS in a few large writes
// when SQLite syncs, reads, truncates, asks the size of or closes the file, or
// when 4 MiB have gathered. Nothing else changes: every byte reaches the file
// before the fsync that makes a commit durable, in the order SQLite wrote it.
// Database files, journals and the shared-memory index pass straight through.
#ifndef ILONET_CILOWALGATHER_H
#define ILONET_CILOWALGATHER_H

/// The VFS's name, for sqlite3_open_v2.
#define ILO_WAL_GATHER_VFS "ilonet-wal-gather"

/// Registers the VFS over the default one (not as the default). Safe to call
/// more than once and from several threads. Returns SQLITE_OK or an error.
int ilo_wal_gather_register(void);

/// Calls to the system VFS's xWrite on WAL files since the start (all
/// connections), and the xWrite calls SQLite made on them: what the gathering saved.
void ilo_wal_gather_counts(long long *system_writes, long long *sqlite_writes);

#endif
