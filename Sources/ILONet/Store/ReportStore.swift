/// The node's durable store: one SQLite database in WAL mode with
/// `synchronous=FULL`, so a committed transaction survives power loss.
///
/// Thread-confined to the store worker; callers reach it through `StoreWorker`.
public final class ReportStore {
    public let database: SQLiteDatabase
    /// Reports queued per next hop, counted once and then kept up to date.
    var queueCounts: [String: Int] = [:]
    /// Subscriptions and subscribers, read once and kept until they change.
    var subscriptionCache: (subscriptions: [Subscription], subscribers: [String: PeerIdentity])?
    /// This node's name, the actor of what the node itself does (audit trail).
    public var nodeName = "node"

    public enum StoreSetupError: Error, CustomStringConvertible {
        case sqlite(SQLiteError)
        case pragmaNotApplied(String, expected: String, found: String)
        case newerSchema(found: Int64, known: Int)

        public var description: String {
            switch self {
            case .sqlite(let e): e.description
            case .pragmaNotApplied(let name, let expected, let found):
                "store: PRAGMA \(name) is \(found), expected \(expected); refusing to run without durable commits"
            case .newerSchema(let found, let known):
                "store: schema version \(found) is newer than this ilod knows (\(known)); refusing to downgrade"
            }
        }
    }

    public init(path: String) throws(StoreSetupError) {
        do {
            database = try SQLiteDatabase(path: path)
            let journal = try database.scalarText("PRAGMA journal_mode=WAL") ?? ""
            guard journal.lowercased() == "wal" else { throw StoreSetupError.pragmaNotApplied("journal_mode", expected: "wal", found: journal) }
            try database.execute("PRAGMA synchronous=FULL")
            let synchronous = try database.scalarInt("PRAGMA synchronous") ?? -1
            guard synchronous == 2 else {
                throw StoreSetupError.pragmaNotApplied("synchronous", expected: "2 (FULL)", found: String(synchronous))
            }
            try database.execute("PRAGMA foreign_keys=ON")
            // Deleted content is overwritten with zeros, so erased reports leave no trace in the pages.
            try database.execute("PRAGMA secure_delete=ON")
            try migrate()
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch let error as StoreSetupError {
            throw error
        } catch {
            fatalError("unreachable: \(error)")
        }
    }

    private func migrate() throws {
        let current = try database.scalarInt("PRAGMA user_version") ?? 0
        guard current <= Schema.migrations.count else {
            throw StoreSetupError.newerSchema(found: current, known: Schema.migrations.count)
        }
        for version in Int(current)..<Schema.migrations.count {
            try database.execute("BEGIN IMMEDIATE")
            do {
                try database.execute(Schema.migrations[version])
                try database.execute("PRAGMA user_version=\(version + 1)")
                try database.execute("COMMIT")
            } catch {
                try? database.execute("ROLLBACK")
                throw error
            }
        }
    }

    public var schemaVersion: Int64 { (try? database.scalarInt("PRAGMA user_version")) ?? 0 }
}

@available(*, unavailable)
extension ReportStore: Sendable {}
