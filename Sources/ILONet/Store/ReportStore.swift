import Glibc

/// The node's durable store: one SQLite database in WAL mode with
/// `synchronous=FULL`, so a committed transaction survives power loss.
///
/// Thread-confined to the store worker; callers reach it through `StoreWorker`.
public final class ReportStore {
    public let database: SQLiteDatabase
    /// Reports queued per next hop, counted once and then kept up to date.
    var queueCounts: [String: Int] = [:]
    /// Subscriptions and subscribers, read once and kept until they change.
    var subscriptionCache: (subscriptions: [Subscription], subscribers: [String: PeerIdentity])? {
        didSet {
            if subscriptionCache == nil {
                eachTrieCache = nil
                interestInputsChanged = true
            }
        }
    }
    /// Subscriptions or the register changed since this node last compared its
    /// announced interest with them (`InterestAnnouncer`).
    var interestInputsChanged = true {
        didSet { if interestInputsChanged { awayCache = nil } }
    }
    /// Identities the register says read at another node (`awayIdentities`).
    var awayCache: Set<String>?
    /// The `each` subscriptions by topic level; rebuilt after any change.
    var eachTrieCache: TopicTrie? {
        didSet { if eachTrieCache == nil { topicSubscribersCache.removeAll() } }
    }
    /// Who `eachTrieCache` says subscribed to a topic, by topic: a node sees few
    /// topics (kind/country/…), and every stored report asks on the store
    /// thread (issue 32). Forgotten with the trie; at most `topicCacheLimit` topics.
    var topicSubscribersCache: [String: Set<String>] = [:]
    static let topicCacheLimit = 4096
    /// Identities given a delivery since the last commit: the store worker pokes
    /// their watchers once after the batch commits (`StoreWorker.onDeliveriesCommitted`),
    /// never before, so a stream's read always finds them.
    var deliveredInBatch: Set<String> = []
    /// The interest in force (`interest`), read once and kept until it changes.
    var interestCache: InterestMap?
    /// Identities' bindings read or written (`identities`), forgotten after a rollback.
    var bindingCache: [String: IdentityBinding] = [:]
    /// The key of the subject-access index (docs/ACCESS.md §9), read once.
    var subjectKeyCache: [UInt8]?
    /// The audit trail's last record (seq, hash), kept after each record written;
    /// nil until read, and after any rollback (`resetCaches`).
    var auditChainHead: (seq: Int64, hash: [UInt8])?
    /// Whether ledger counts wait for the end of the batch (`PendingLedger`): only
    /// the store worker, which flushes them before every COMMIT.
    var defersLedger = false
    var pendingLedger = PendingLedger()
    /// This node's name, the actor of what the node itself does (audit trail).
    public var nodeName = "node"

    public enum StoreSetupError: Error, CustomStringConvertible {
        case sqlite(SQLiteError)
        case pragmaNotApplied(String, expected: String, found: String)
        case newerSchema(found: Int64, known: Int)
        case notWritable(directory: String, reason: String)
        /// `PRAGMA quick_check` found damage, or SQLite called the file damaged.
        case damaged(path: String, finding: String)
        /// The node marked this store damaged while running; it stays refused until recovered.
        case markedDamaged(marker: String, reason: String)
        /// Another node holds the store (`StoreLock`), or its lock file cannot be made.
        case inUse(String)

        public var description: String {
            switch self {
            case .sqlite(let e): e.description
            case .pragmaNotApplied(let name, let expected, let found):
                "store: PRAGMA \(name) is \(found), expected \(expected); refusing to run without durable commits"
            case .newerSchema(let found, let known):
                "store: schema version \(found) is newer than this ilod knows (\(known)); refusing to downgrade"
            case .notWritable(let directory, let reason):
                "store: \(directory) \(reason); ilod writes its store, WAL and shared-memory files there"
            case .damaged(let path, let finding):
                "store: \(path) is damaged (\(finding.split(separator: "\n").prefix(3).joined(separator: "; "))); refusing to start on it. "
                    + "Recover it with scripts/recover-store.sh (docs/OPERATIONS.md §8), or restore a backup"
            case .markedDamaged(let marker, let reason):
                "store: marked damaged by the running node (\(marker): \(reason)); refusing to start on it. "
                    + "Recover it with scripts/recover-store.sh, which removes the marker (docs/OPERATIONS.md §8)"
            case .inUse(let message): message
            }
        }
    }

    /// The size the WAL file is cut back to when it restarts. While a long
    /// reader (a backup, an integrity check) holds a snapshot, the WAL cannot
    /// restart and grows; without a limit its file would keep that size forever.
    /// Under load the WAL starts again at a quarter of it (`Checkpointer`):
    /// 64 MiB of frames, so each start's pause comes a quarter as often as at
    /// 16 MiB (docs/PERFORMANCE.md, issue 32).
    public static let walSizeLimit = 256 << 20

    public init(path: String, walSizeLimit: Int = ReportStore.walSizeLimit) throws(StoreSetupError) {
        try ReportStore.checkWritable(directoryOf: path)
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
            try database.execute("PRAGMA journal_size_limit=\(walSizeLimit)")
            try migrate()
            try SearchRanking.install(on: database)
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch let error as StoreSetupError {
            throw error
        } catch {
            fatalError("unreachable: \(error)")
        }
    }

    /// A second, read-only connection to a store the writer has opened (and
    /// migrated): for `StoreReaders`, which answer long queries beside the writer.
    init(readerOf path: String) throws(SQLiteError) {
        database = try SQLiteDatabase(path: path, mode: .readOnly)
        try database.execute("PRAGMA query_only=1")
        try SearchRanking.install(on: database)
    }

    /// A store on a read-only file system would open read-only and refuse every
    /// write; say so at start-up instead, in plain words.
    static func checkWritable(directoryOf path: String) throws(StoreSetupError) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        var info = statvfs()
        if statvfs(directory.isEmpty ? "/" : directory, &info) == 0, info.f_flag & UInt(ST_RDONLY) != 0 {
            throw .notWritable(directory: directory, reason: "is on a file system mounted read-only")
        }
        if access(directory.isEmpty ? "/" : directory, W_OK) != 0 && errno != ENOENT {
            throw .notWritable(directory: directory, reason: "is not writable (\(String(cString: strerror(errno))))")
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
