internal import CSQLite

/// A failed SQLite call: the extended result code, SQLite's message and what we
/// were doing. Statement arguments (report contents) are never included.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "sqlite: \(context): \(message) (code \(code))" }
}
