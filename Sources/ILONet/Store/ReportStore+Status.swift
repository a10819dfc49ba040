import Glibc

/// What `ilo status` and the metrics endpoint read from the store: queue depths
/// per next hop and priority, dead letters, readers' backlogs, and the size of
/// the store's files.
extension ReportStore {
    public struct Status: Sendable {
        /// Queued reports by next hop, then by priority name.
        public var queued: [String: [String: Int]] = [:]
        public var deadLetters = 0
        /// Unconfirmed deliveries by reader, for every known subscriber.
        public var backlog: [String: Int] = [:]
        /// Counted only when asked: counting every report scans the table on the store thread.
        public var reports: Int?
        public var databaseBytes: Int64 = 0
        public var walBytes: Int64 = 0
    }

    /// - Parameter countingReports: also count the stored reports (a full scan,
    ///   which holds up commits on a large store: `ilo status` asks, a metrics scrape does not).
    public func status(path: String, countingReports: Bool) throws(SQLiteError) -> Status {
        var status = Status()
        let names = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0.rank, $0.rawValue) })
        let queued = try database.cached("SELECT next_hop, priority, count(*) FROM outbound GROUP BY next_hop, priority")
        while try queued.step() {
            status.queued[queued.text(0), default: [:]][names[Int(queued.int(1))] ?? String(queued.int(1))] = Int(queued.int(2))
        }
        status.deadLetters = Int(try database.scalarInt("SELECT count(*) FROM dead_letters") ?? 0)
        if countingReports { status.reports = Int(try database.scalarInt("SELECT count(*) FROM reports") ?? 0) }
        for identity in try subscriptionIndex().subscribers.keys { status.backlog[identity] = 0 }
        let backlog = try database.cached("SELECT identity, count(*) FROM deliveries WHERE read_ms IS NULL GROUP BY identity")
        while try backlog.step() { status.backlog[backlog.text(0)] = Int(backlog.int(1)) }
        func size(_ file: String) -> Int64 {
            var info = stat()
            return stat(file, &info) == 0 ? Int64(info.st_size) : 0
        }
        status.databaseBytes = size(path)
        status.walBytes = size(path + "-wal")
        return status
    }
}
