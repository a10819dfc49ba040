internal import CSQLite

/// A failed SQLite call: the extended result code, SQLite's message and what we
/// were doing. Statement arguments (report contents) are never included.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "sqlite: \(context): \(message) (code \(code))" }

    /// True for failures that say the disk or the file system refused the write.
    public var isStorageFailure: Bool {
        let primary = code & 0xFF
        return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN
    }
}
