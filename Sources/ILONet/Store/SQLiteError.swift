internal import CSQLite
import Glibc

/// A failed SQLite call: the extended result code, SQLite's message and what we
/// were doing. Statement arguments (report contents) are never included.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public let code: Int32
    public let message: String
    public let context: String
    /// The operating system's errno behind an I/O error (0: none).
    public let systemErrno: Int32

    public init(code: Int32, message: String, context: String, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.context = context
        self.systemErrno = systemErrno
    }

    public var description: String {
        let system = systemErrno != 0 ? ", \(String(cString: strerror(systemErrno)))" : ""
        return "sqlite: \(context): \(message) (code \(code)\(system))"
    }

    /// What a refused sender and the operator should hear, in plain words: the
    /// disk is full, the store is read-only, the disk failed, the store is busy.
    /// A reader's query stopped at its time budget (SQLITE_INTERRUPT).
    public var isOverBudget: Bool { code & 0xFF == SQLITE_INTERRUPT }

    public var plainCause: String {
        if context == "store failed" { return "the node's store is damaged (\(message)); it acknowledges nothing until an administrator recovers it" }
        if code & 0xFF == SQLITE_CORRUPT || code & 0xFF == SQLITE_NOTADB { return "the node's store is damaged" }
        if code & 0xFF == SQLITE_FULL || systemErrno == ENOSPC || systemErrno == EDQUOT { return "the disk holding the node's store is full" }
        if code & 0xFF == SQLITE_READONLY || systemErrno == EROFS { return "the node's store is read-only" }
        if code & 0xFF == SQLITE_IOERR { return "the node's disk failed a read or write" }
        if code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED { return "the node's store is busy" }
        return "the node's store failed (\(message))"
    }
}
