import Foundation
import Glibc
import ILONet

/// The officer's outbox (docs/CLI.md, "The outbox"): every report `ilo send`
/// completed and signed, stored on this computer **before** any network I/O,
/// with its final id and signature. A report leaves the outbox's queue only when
/// a node acknowledged it (ACCEPTED, or `duplicate: true` for a copy it already
/// held), or refused it for good; every re-send uses the stored bytes, so the
/// network's de-duplication by id applies and a lost acknowledgement never
/// duplicates a report.
///
/// One SQLite file per node and certificate in `$XDG_STATE_HOME/ilo/` (default
/// `~/.local/state/ilo/outbox-HASH.sqlite`), mode 0600, WAL, `synchronous=FULL`:
/// a report `ilo send` called queued survives the laptop's crash too.
/// Used by one process at a time per call; SQLite's locking orders concurrent `ilo`s.
public final class Outbox {
    public enum State: String, Sendable { case queued, accepted, refused }

    public struct Entry: Sendable {
        public let id: String
        public let kind: String
        public let country: String
        public let headline: String
        public let priority: Priority
        public let queuedMilliseconds: Int64
        public let state: State
        public let attempts: Int
        public let lastError: String?
        /// When a node acknowledged it, and which node.
        public let acceptedMilliseconds: Int64?
        public let acceptedBy: String?
        public let refusal: String?
        public let document: [UInt8]
    }

    public let path: String
    let database: SQLiteDatabase

    /// Where the outbox of the holder of `certificate` for `node` lives: what
    /// was meant for one node is sent to that node (a post's officer has one).
    public static func path(node: String, certificate: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        let key = (node + "|" + (certificate as NSString).standardizingPath).utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return "\(base)/ilo/outbox-\(String(key, radix: 16)).sqlite"
    }

    /// The outbox for a connection's options.
    public convenience init?(for options: ClientOptions, create: Bool) throws(OutboxError) {
        try self.init(path: Outbox.path(node: options.node.description, certificate: options.certificatePath), create: create)
    }

    /// Opens (or, with `create`, creates) the outbox at `path`; nil when it does not exist and `create` is false.
    public init?(path: String, create: Bool) throws(OutboxError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard create else { return nil }
            let directory = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw OutboxError(path: path, "cannot create the directory \(directory): \(error.localizedDescription)")
            }
            // Created with 0600 before SQLite opens it: reports never sit in a file others can read.
            let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw OutboxError(path: path, "cannot create it: \(String(cString: strerror(errno)))") }
            close(fd)
        }
        do throws(SQLiteError) {
            database = try SQLiteDatabase(path: path)
            _ = try database.scalarText("PRAGMA journal_mode = WAL")
            try database.execute("PRAGMA synchronous = FULL")
            // Freed pages are zeroed: a file's bytes leave no trace once sent or erased.
            try database.execute("PRAGMA secure_delete = ON")
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS outbox (
                    id            TEXT    PRIMARY KEY,
                    kind          TEXT    NOT NULL,
                    country       TEXT    NOT NULL,
                    headline      TEXT    NOT NULL,
                    priority      INTEGER NOT NULL,             -- 0 flash … 3 routine
                    queued_ms     INTEGER NOT NULL,
                    state         TEXT    NOT NULL DEFAULT 'queued',
                    attempts      INTEGER NOT NULL DEFAULT 0,
                    last_error    TEXT,
                    accepted_ms   INTEGER,
                    accepted_by   TEXT,
                    refusal       TEXT,
                    document      BLOB    NOT NULL              -- the signed canonical report, sent as is
                ) WITHOUT ROWID
                """)
            // The files a queued report carries (stripped of metadata, as hashed and
            // signed); deleted once a node took the report or refused it for good.
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS outbox_files (
                    id            TEXT    NOT NULL,             -- the report's id
                    number        INTEGER NOT NULL,             -- 1.. in its attachments
                    data          BLOB    NOT NULL,
                    PRIMARY KEY (id, number)
                )
                """)
        } catch {
            throw OutboxError(path: path, error.description)
        }
        // The WAL and shared-memory files get the same mode as the database.
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    /// Keeps `report` (signed) in the queue, durably, before it is sent. The same
    /// id again is a no-op: the stored bytes stay what is sent.
    /// `files`: the report's attachments' bytes, in the order of its list.
    public func add(_ report: Report, files: [[UInt8]] = [], now: Int64 = Timestamp.nowMilliseconds()) throws(OutboxError) {
        try run("add the report") { () throws(SQLiteError) in
            try database.execute("BEGIN IMMEDIATE")
            do throws(SQLiteError) {
                let file = try database.cached("INSERT OR IGNORE INTO outbox_files (id, number, data) VALUES (?, ?, ?)")
                for (index, data) in files.enumerated() {
                    file.bind(1, report.id.description)
                    file.bind(2, Int64(index + 1))
                    file.bind(3, data)
                    try file.run()
                }
                let insert = try database.cached(
                    "INSERT OR IGNORE INTO outbox (id, kind, country, headline, priority, queued_ms, document) VALUES (?, ?, ?, ?, ?, ?, ?)")
                insert.bind(1, report.id.description)
                insert.bind(2, report.kind.rawValue)
                insert.bind(3, report.country)
                insert.bind(4, report.headline)
                insert.bind(5, Int64(report.priority.rank))
                insert.bind(6, now)
                insert.bind(7, report.canonicalEncoding)
                try insert.run()
                try database.execute("COMMIT")
            } catch {
                try? database.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// File `number` (1..) of queued report `id`, as it is sent (nil: not here).
    public func file(_ id: String, number: Int) throws(OutboxError) -> [UInt8]? {
        var data: [UInt8]?
        try run("read the report's file") { () throws(SQLiteError) in
            let statement = try database.cached("SELECT data FROM outbox_files WHERE id = ? AND number = ?")
            statement.bind(1, id)
            statement.bind(2, Int64(number))
            if try statement.step() { data = statement.blob(0) }
            try statement.step()
        }
        return data
    }

    /// Queued entries that carry no files, most urgent first, except `skipping`:
    /// what an upload lets through between its chunks (a report is a few
    /// kilobytes, a file megabytes: no report waits behind a file).
    public func withoutFiles(skipping: Set<String>) throws(OutboxError) -> [Entry] {
        try select(
            "WHERE state = 'queued' AND NOT EXISTS (SELECT 1 FROM outbox_files f WHERE f.id = outbox.id) ORDER BY priority, queued_ms", []
        ).filter { !skipping.contains($0.id) }
    }

    /// What waits, most urgent first, then oldest.
    public func queued() throws(OutboxError) -> [Entry] {
        try select("WHERE state = 'queued' ORDER BY priority, queued_ms", [])
    }

    /// Every entry, newest first (`ilo sent`).
    public func all(limit: Int) throws(OutboxError) -> [Entry] {
        try select("ORDER BY queued_ms DESC LIMIT ?", [.integer(Int64(limit))])
    }

    public func entry(_ id: String) throws(OutboxError) -> Entry? {
        try select("WHERE id = ?", [.string(id)]).first
    }

    public func markAccepted(_ id: String, by node: String, now: Int64 = Timestamp.nowMilliseconds()) throws(OutboxError) {
        try update("DELETE FROM outbox_files WHERE id = ?", [.string(id)])
        try update("UPDATE outbox SET state = 'accepted', accepted_ms = ?, accepted_by = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
            [.integer(now), .string(node), .string(id)])
    }

    /// A try that failed for a reason that may pass: it stays queued.
    public func markFailed(_ id: String, error: String) throws(OutboxError) {
        try update("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'queued'", [.string(error), .string(id)])
    }

    /// Refused for good (invalid, forbidden, id-conflict, …): never sent again silently.
    public func markRefused(_ id: String, reason: String) throws(OutboxError) {
        try update("DELETE FROM outbox_files WHERE id = ?", [.string(id)])
        try update("UPDATE outbox SET state = 'refused', refusal = ?, attempts = attempts + 1 WHERE id = ?", [.string(reason), .string(id)])
    }

    /// Forgets report `id` on this computer, leaving no trace of its content in
    /// the file or its WAL (`ilo withdraw`, `ilo erase`: docs/REPORTS.md §5.9).
    /// Returns whether the outbox had it.
    @discardableResult
    public func forget(_ id: String) throws(OutboxError) -> Bool {
        var had = false
        try run("erase the report") { () throws(SQLiteError) in
            try database.execute("PRAGMA secure_delete = ON")
            let files = try database.cached("DELETE FROM outbox_files WHERE id = ?")
            files.bind(1, id)
            try files.run()
            let statement = try database.cached("DELETE FROM outbox WHERE id = ?")
            statement.bind(1, id)
            try statement.run()
            had = database.changes > 0
            _ = try database.scalarText("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return had
    }

    // MARK: The uploader

    /// Takes the upload lock (a `flock` on `PATH.lock`, released when the
    /// process ends, however it ends): one ilo at a time sends the outbox's
    /// files; the file descriptor to close when done, or nil when another ilo
    /// is uploading now.
    public func takeUploadLock() -> Int32? {
        let fd = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Whether another ilo is sending this outbox's files now: it sends an
    /// urgent report queued meanwhile between two chunks, on its connection.
    public func uploadInProgress() -> Bool {
        guard let fd = takeUploadLock() else { return true }
        close(fd)
        return false
    }

    // MARK: -

    private func run(_ what: String, _ body: () throws(SQLiteError) -> Void) throws(OutboxError) {
        do throws(SQLiteError) { try body() } catch { throw OutboxError(path: path, "cannot \(what): \(error.description)") }
    }

    private func update(_ sql: String, _ arguments: [JSONValue]) throws(OutboxError) {
        try run("record the outcome") { () throws(SQLiteError) in
            let statement = try database.cached(sql)
            statement.bind(arguments)
            try statement.run()
        }
    }


    private func select(_ tail: String, _ arguments: [JSONValue]) throws(OutboxError) -> [Entry] {
        var entries: [Entry] = []
        try run("read the outbox") { () throws(SQLiteError) in
            let statement = try database.cached(
                "SELECT id, kind, country, headline, priority, queued_ms, state, attempts, last_error, accepted_ms, accepted_by, refusal, document FROM outbox \(tail)")
            statement.bind(arguments)
            while try statement.step() {
                entries.append(
                    Entry(
                        id: statement.text(0), kind: statement.text(1), country: statement.text(2), headline: statement.text(3),
                        priority: Priority.allCases.first { $0.rank == Int(statement.int(4)) } ?? .routine,
                        queuedMilliseconds: statement.int(5), state: State(rawValue: statement.text(6)) ?? .queued, attempts: Int(statement.int(7)),
                        lastError: statement.isNull(8) ? nil : statement.text(8), acceptedMilliseconds: statement.isNull(9) ? nil : statement.int(9),
                        acceptedBy: statement.isNull(10) ? nil : statement.text(10), refusal: statement.isNull(11) ? nil : statement.text(11),
                        document: statement.blob(12)))
            }
        }
        return entries
    }
}

/// The outbox could not be read or written: nothing is sent without a copy kept here.
public struct OutboxError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "the outbox \(path): \(reason)" }
}
