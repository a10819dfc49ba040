internal import CSQLite
import Foundation
import Synchronization

/// Whether the node's store can still be trusted. It fails for good when
/// SQLite reports the database damaged (SQLITE_CORRUPT, SQLITE_NOTADB) or when
/// the database or WAL file is removed or replaced under the running node
/// (checked at every checkpoint). A failed store acknowledges nothing; the
/// node says why in its answers, log, `ilo status`, metrics and systemd
/// STATUS, and writes `STORE.damaged` so that it refuses to start again until
/// an operator has recovered the store (docs/OPERATIONS.md §8).
public final class StoreHealth: Sendable {
    private let failure = Mutex<String?>(nil)
    private let observers = Mutex<[@Sendable (String) -> Void]>([])
    let path: String
    let logger: Logger

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Why the store failed, or nil while it is healthy.
    public var failureReason: String? { failure.withLock { $0 } }

    /// Called once, on the thread that noticed, when the store fails.
    public func onFailure(_ observer: @escaping @Sendable (String) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// The file that marks a store found damaged: `STORE.damaged`.
    public static func markerPath(for store: String) -> String { store + ".damaged" }

    static func isDamage(_ error: SQLiteError) -> Bool {
        error.code & 0xFF == SQLITE_CORRUPT || error.code & 0xFF == SQLITE_NOTADB
    }

    /// Records a failure if `error` says the database is damaged.
    func check(_ error: SQLiteError) {
        if StoreHealth.isDamage(error) { fail("SQLite reports the database damaged (\(error.message))") }
    }

    func fail(_ reason: String) {
        let first = failure.withLock { current -> Bool in
            guard current == nil else { return false }
            current = reason
            return true
        }
        guard first else { return }
        // The marker first: whoever reads the log line finds the marker written.
        let marker = "\(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())) \(reason)\n"
        let written = FileManager.default.createFile(atPath: StoreHealth.markerPath(for: path), contents: Data(marker.utf8))
        logger.error(
            "store failed: acknowledging nothing until it is recovered",
            ["reason": reason, "store": path, "recovery": "docs/OPERATIONS.md §8, scripts/recover-store.sh"])
        if !written {
            logger.error("cannot write the damage marker; the node may start on this store again", ["marker": StoreHealth.markerPath(for: path)])
        }
        for observer in observers.withLock({ $0 }) { observer(reason) }
    }

    /// Adds what happened after the failure (the rescue of a removed WAL) to
    /// the log and to the damage marker.
    func record(_ outcome: String) {
        logger.error("store failed: \(outcome)", ["store": path])
        let marker = StoreHealth.markerPath(for: path)
        guard let handle = FileHandle(forWritingAtPath: marker) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data("\(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())) \(outcome)\n".utf8))
    }

    /// The error every store request gets once the store failed.
    var refusal: SQLiteError? {
        failureReason.map { SQLiteError(code: SQLITE_CORRUPT, message: "the store failed: \($0)", context: "store failed") }
    }
}

/// The identity (device, inode) of the database and WAL files as they were when
/// the node opened them; a file removed or replaced since is noticed. And the
/// size of a store file.
struct StoreFiles {
    private let path: String
    private var database: (UInt64, UInt64)?
    private var wal: (UInt64, UInt64)?

    init(path: String) {
        self.path = path
        database = StoreFiles.identity(path)
        wal = StoreFiles.identity(path + "-wal")
    }

    /// A file's size in bytes (0 when it does not exist): the store's, to choose
    /// when it is checked (`StartCheck`); the WAL's, for the checkpointer and the
    /// start check's brake.
    static func size(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    private static func identity(_ path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// What changed, or nil.
    mutating func problem() -> String? {
        guard let database else { return nil }
        guard let now = StoreFiles.identity(path) else { return "the database file \(path) was removed under the running node" }
        if now != database { return "the database file \(path) was replaced under the running node" }
        let currentWAL = StoreFiles.identity(path + "-wal")
        if let wal {
            guard let currentWAL else { return "the WAL file \(path)-wal was removed under the running node" }
            if currentWAL != wal { return "the WAL file \(path)-wal was replaced under the running node" }
        } else {
            wal = currentWAL
        }
        return nil
    }
}
