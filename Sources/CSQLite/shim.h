#ifndef ILONET_CSQLITE_H
#define ILONET_CSQLITE_H
#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call: one wrapper per option
// used, no logic of its own.

/// Keeps a savepoint's statement journal in memory up to `bytes` (SQLite's
/// default, 64 KiB, puts a job's journal in a temporary file). Only before
/// SQLite is initialized, that is before the first connection is opened.
static inline int ilo_sqlite3_config_statement_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}
#endif
