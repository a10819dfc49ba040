internal import CILOShims
internal import CSQLite
import Glibc

/// One SQLite connection. Owns the `sqlite3*` and closes it in `deinit`.
///
/// Thread-confined: a connection is used only by the thread that owns it (the
/// store worker), so it is opened with SQLITE_OPEN_NOMUTEX and is not Sendable.
public final class SQLiteDatabase {
    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: SQLiteStatement] = [:]
    /// The same statements by the address of their text (`cached(_:)`).
    private var statementsByAddress: [UInt: SQLiteStatement] = [:]

    public enum Mode { case readWrite, readOnly }

    /// The most a savepoint's statement journal holds in memory before SQLite
    /// moves it to a temporary file. Every store job runs in a savepoint
    /// (`StoreWorker`), and SQLite journals there each page the job changes: a
    /// publish changes about fifteen (the report, its indexes, the delivery, the
    /// audit record, the statistics), just over SQLite's default of 64 KiB, so
    /// each batch wrote ≈ 40 KB per report into a temporary file with two system
    /// calls per page, and opened and removed that file at every commit. In
    /// memory the journal is emptied at each RELEASE; a larger job (an erasure of
    /// hundreds of reports) still spills to a file, so memory stays bounded.
    ///
    /// Not more than 128 KiB: SQLite keeps the journal in chunks of this size and
    /// writes a chunk in one call when it spills, and its Unix file layer masks
    /// the length of one read or write to 17 bits (`cnt &= 0x1ffff` in
    /// os_unix.c), so a larger chunk fails the job with SQLITE_FULL ("database
    /// or disk is full"; 200,000 bytes did, 3.40.1).
    public static let statementJournalMemory: Int32 = 120 << 10

    /// Whether SQLite took `statementJournalMemory` (it can only before its
    /// first connection in the process is opened). Evaluated once, at the first
    /// `init`.
    public static let statementJournalConfigured: Bool =
        ilo_sqlite3_config_statement_journal_spill(statementJournalMemory) == SQLITE_OK

    /// Whether read-write connections open through the WAL-gathering VFS
    /// (CILOShims/wal_gather.c): SQLite writes each WAL frame in two calls, a
    /// commit of 30 pages in 60; the VFS hands a commit's frames to the system
    /// in one write of up to 64 KiB per piece, before the fsync that makes it
    /// durable (issue 32). Registered once, after `statementJournalConfigured`
    /// (registering initializes SQLite); false: the system VFS is used.
    static let walGatherRegistered: Bool = {
        _ = statementJournalConfigured
        return ilo_wal_gather_register() == SQLITE_OK
    }()

    /// The write calls the WAL-gathering VFS made to the system, and the ones
    /// SQLite made to it, on WAL files since the process started.
    public static var walWriteCounts: (system: Int64, sqlite: Int64) {
        var system: Int64 = 0, sqlite: Int64 = 0
        ilo_wal_gather_counts(&system, &sqlite)
        return (system, sqlite)
    }

    public init(path: String, mode: Mode = .readWrite) throws(SQLiteError) {
        _ = SQLiteDatabase.statementJournalConfigured
        let gather = mode == .readWrite && SQLiteDatabase.walGatherRegistered
        var db: OpaquePointer?
        let flags = (mode == .readWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &db, flags, gather ? ILO_WAL_GATHER_VFS : nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: "opening \(path)")
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        waitWhenBusy(milliseconds: 5000)
    }

    /// How long a statement waits for a lock another connection holds (the
    /// checkpointer's, a reader's) before it fails with SQLITE_BUSY.
    ///
    /// SQLite's own busy timeout sleeps 1, 2, 5, 10, … ms between tries, so a
    /// writer that found the checkpointer's RESTART in its way slept 8 ms even
    /// when the lock came free after one: at 2,800 reports a second the batch
    /// after each restart waited 8.3-10.4 ms in BEGIN, and every report queued
    /// behind it with it (issue 32, docs/PERFORMANCE.md). Here a waiter tries
    /// again every 100 µs for the first 2 ms, then every millisecond, up to
    /// `milliseconds`.
    public func waitWhenBusy(milliseconds: Int) {
        // The limit travels as the handler's context (a nonzero integer, no allocation).
        sqlite3_busy_handler(handle, { context, tries in
            let limit = Int(bitPattern: context)
            let waited = SQLiteDatabase.busyWaited(tries: Int(tries))
            guard waited < limit * 1000 else { return 0 }
            usleep(useconds_t(SQLiteDatabase.busyStep(tries: Int(tries))))
            return 1
        }, UnsafeMutableRawPointer(bitPattern: max(1, milliseconds)))
    }

    /// Microseconds slept before try `tries` (0-based), and before the next one.
    static func busyWaited(tries: Int) -> Int { tries < 20 ? tries * 100 : 2000 + (tries - 20) * 1000 }
    static func busyStep(tries: Int) -> Int { tries < 20 ? 100 : 1000 }

    deinit {
        statementsByAddress.removeAll()
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The deadline SQLite's progress handler checks (monotonic ns; 0: none),
    /// and a condition it asks at most every 100 ms.
    private final class Budget {
        var deadline: UInt64 = 0
        var stop: (() -> Bool)?
        var lastAsked: UInt64 = 0

        func expired() -> Bool {
            let now = Timestamp.monotonicNanoseconds()
            if deadline != 0 && now > deadline { return true }
            guard let stop, now - lastAsked > 100_000_000 else { return false }
            lastAsked = now
            return stop()
        }
    }
    private var budget: Budget?

    /// Limits every statement from now on to `seconds` of work in total (nil:
    /// no limit): past it SQLite stops with SQLITE_INTERRUPT. Used by the
    /// readers, so that no query can run on for minutes.
    public func limitTime(to seconds: Double?) {
        installBudget().deadline = seconds.map { Timestamp.monotonicNanoseconds() + UInt64($0 * 1e9) } ?? 0
    }

    /// Stops every statement from now on with SQLITE_INTERRUPT once `condition`
    /// answers true (asked at most every 100 ms).
    func stopWhen(_ condition: @escaping () -> Bool) {
        installBudget().stop = condition
    }

    private func installBudget() -> Budget {
        if let budget { return budget }
        let box = Budget()
        budget = box
        // Every 1,000 virtual-machine steps; the context is the box, kept alive by `budget`.
        sqlite3_progress_handler(handle, 1000, { context in
            guard let context else { return 0 }
            return Unmanaged<Budget>.fromOpaque(context).takeUnretainedValue().expired() ? 1 : 0
        }, Unmanaged.passUnretained(box).toOpaque())
        return box
    }

    func error(_ rc: Int32, _ context: String) -> SQLiteError {
        SQLiteError(
            code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), context: context,
            systemErrno: sqlite3_system_errno(handle))
    }

    /// Resets every statement of this connection that is still stepping (a
    /// query read only up to the row it needed). A statement left so keeps the
    /// connection's read transaction open, and with it the WAL position it
    /// started from: checkpoints cannot copy past it and the WAL cannot restart.
    public func resetPendingStatements() {
        var statement = sqlite3_next_stmt(handle, nil)
        while let current = statement {
            if sqlite3_stmt_busy(current) != 0 { sqlite3_reset(current) }
            statement = sqlite3_next_stmt(handle, current)
        }
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, context: Self.summary(sql), systemErrno: sqlite3_system_errno(handle))
        }
    }

    /// A prepared statement, kept for reuse: the hot paths prepare once.
    ///
    /// Looked up first by where the text is stored: a literal's text stays at
    /// one address, so that lookup hashes one integer instead of the whole
    /// statement (hashing the text was several percent of the store thread's
    /// time, issue 32). An address is kept only for the text the statement
    /// itself holds (which keeps those bytes where they are), so the table has
    /// one entry per statement; a text built anew for each call (interpolated)
    /// is found by its contents.
    public func cached(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        let address = SQLiteDatabase.storageAddress(of: sql)
        if let address, let statement = statementsByAddress[address], statement.sql == sql {
            statement.reset()
            return statement
        }
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try SQLiteStatement(database: self, sql: sql)
        statementCache[sql] = statement
        if let address { statementsByAddress[address] = statement }
        return statement
    }

    /// Statements found by address (at most one per cached statement).
    var statementsFoundByAddress: Int { statementsByAddress.count }

    /// The address of `text`'s UTF-8 bytes when they are stored apart from the
    /// string value (literals and long strings); nil for small strings, whose
    /// bytes live in the value itself.
    private static func storageAddress(of text: String) -> UInt? {
        guard text.utf8.count > 15 else { return nil }
        return text.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } ?? nil
    }

    /// The first column of the first row of a query, as text.
    public func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try SQLiteStatement(database: self, sql: sql)
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    public func scalarInt(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try SQLiteStatement(database: self, sql: sql)
        guard try statement.step() else { return nil }
        return statement.int(0)
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }
    /// No transaction is open (`sqlite3_get_autocommit`).
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    static func summary(_ sql: String) -> String {
        let flat = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count > 60 ? String(flat.prefix(57)) + "..." : flat
    }
}

@available(*, unavailable)
extension SQLiteDatabase: Sendable {}
