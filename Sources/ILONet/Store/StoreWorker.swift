import Dispatch
import Foundation
import Synchronization

/// The one thread that touches the node's SQLite store.
///
/// Group commit: jobs that arrive while a transaction is being written and synced
/// wait in `pending`; the next batch takes all of them (up to `maximumBatch`) into
/// one transaction. Each job runs in its own savepoint, so a failing job does not
/// undo the others; every job's completion is called only after COMMIT returned,
/// that is after the WAL was fsynced (`synchronous=FULL`). Throughput is then
/// bounded by the fsync rate times the batch size, not by the fsync rate.
///
/// Commit spacing: below the maximum, jobs arrive one or two at a time while the
/// previous commit is written, and every commit writes the last page of each
/// B-tree it touches again, whatever it carries (about 20 pages). So when fewer
/// than `smallBatch` jobs wait and the last commit ended less than
/// `commitSpacingNanoseconds` ago, the thread waits until that much time has
/// passed before it begins the next batch (PostgreSQL's `commit_delay`,
/// bounded). A job that arrives on a quiet store is not held; at full speed
/// batches are large and nothing waits. At 3,000 reports a second this (with
/// the larger WAL, `Checkpointer`) made a third as many commits and 11 % less
/// CPU per report, and lowered the acknowledgement's p99 in three rounds of
/// four (docs/PERFORMANCE.md, issue 32).
public final class StoreWorker: Sendable {
    /// A unit of store work. `run` executes on the worker thread inside the batch
    /// transaction and returns the completion to call once the batch committed or
    /// failed (`nil` error: committed).
    struct Job: Sendable {
        let run: @Sendable (ReportStore) -> (@Sendable (SQLiteError?) -> Void)
        /// Answers the job with `error` when its batch could not even begin.
        let fail: @Sendable (SQLiteError) -> Void
    }

    public struct Statistics: Sendable {
        public var batches = 0
        public var jobs = 0
        public var largestBatch = 0
        /// Seconds from BEGIN to the end of COMMIT (the WAL fsync included), per
        /// batch: counts at or below each bound of `commitBounds`, and the sum.
        public var commitBuckets = Array(repeating: 0, count: StoreWorker.commitBounds.count)
        public var commitSeconds = 0.0
        /// Times the WAL was made to start again from its beginning: by this
        /// thread between two batches (no commit waited), and by the
        /// checkpointer's RESTART, which held commits back.
        public var walRestartsCaughtUp = 0
        public var walRestartsBlocking = 0
    }

    public static let commitBounds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    /// The least time from the end of one commit to the beginning of the next
    /// while fewer than `smallBatch` jobs wait (see the type's comment).
    static let commitSpacingNanoseconds: UInt64 = 1_000_000
    static let smallBatch = 16

    private let pending = Mutex<(jobs: [Job], stopping: Bool)>(([], false))
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// Batches committed so far. A read transaction that begins after this
    /// counter reached N sees the Nth batch's writes (`Watcher`).
    let committedBatches = Atomic<UInt64>(0)
    private let deliveriesCommitted = Mutex<(@Sendable (Set<String>) -> Void)?>(nil)

    /// `hook` is told, after each COMMIT and before the batch's completions,
    /// who got a delivery in the batch (`ReportStore.deliveredInBatch`).
    func onDeliveriesCommitted(_ hook: @escaping @Sendable (Set<String>) -> Void) {
        deliveriesCommitted.withLock { $0 = hook }
    }

    private let stats = Mutex(Statistics())
    private let maximumBatch: Int
    private let logger: Logger
    private let checkpointer: Checkpointer
    /// Failed for good when the store is damaged or its files are replaced.
    public let health: StoreHealth
    /// This process's claim on the store, from `init` to `stop`.
    private let lock: StoreLock

    /// Opens (and if needed creates and migrates) the store, then starts the thread.
    /// Opening happens on the caller's thread so that errors reach start-up.
    /// - Parameter checkAtStart: run `PRAGMA quick_check` (off only for an
    ///   emergency start, `ilod --skip-store-check`): before serving on a store of
    ///   at most `checkFirstBytes`, beside serving on a larger one (see `StartCheck`).
    /// - Parameter walSizeLimit: the WAL file's size limit (tests use a
    ///   smaller one, so that the WAL starts again sooner).
    public init(
        path: String, logger: Logger, maximumBatch: Int = 2048, checkAtStart: Bool = true, walSizeLimit: Int = ReportStore.walSizeLimit
    ) throws(ReportStore.StoreSetupError) {
        self.maximumBatch = maximumBatch
        self.logger = logger
        try ReportStore.checkWritable(directoryOf: path)  // before the lock file is made there
        do throws(StoreLock.Failure) {
            lock = try StoreLock(store: path)
        } catch {
            throw .inUse(error.description)
        }
        let marker = StoreHealth.markerPath(for: path)
        if let text = FileManager.default.contents(atPath: marker) {
            throw .markedDamaged(marker: marker, reason: String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let store = try ReportStore(path: path, walSizeLimit: walSizeLimit)
        health = StoreHealth(path: path, logger: logger)
        var finding: String?
        let inBackground = checkAtStart && StartCheck.inBackground(path)
        do throws(SQLiteError) {
            if checkAtStart && !inBackground {
                let began = Timestamp.monotonicNanoseconds()
                let result = try store.database.scalarText("PRAGMA quick_check(20)") ?? ""
                let seconds = Double(Timestamp.monotonicNanoseconds() - began) / 1e9
                if result == "ok" {
                    logger.info("store checked", ["check": "quick_check", "result": "ok", "seconds": String(format: "%.3f", seconds)])
                } else {
                    finding = result
                }
            } else if !checkAtStart {
                logger.warning("store not checked at start (--skip-store-check)", ["store": path])
            }
        } catch {
            guard StoreHealth.isDamage(error) else { throw .sqlite(error) }
            finding = error.message
        }
        if let finding { throw .damaged(path: path, finding: finding) }
        do throws(SQLiteError) {
            // Checkpoints run beside the writer, not inside its commits.
            try store.database.execute("PRAGMA wal_autocheckpoint=0")
            checkpointer = try Checkpointer(path: path, interval: 0.5, walSizeLimit: walSizeLimit, logger: logger, health: health)
        } catch {
            throw .sqlite(error)
        }
        let box = UncheckedTransfer(store)
        let thread = Thread { [self] in self.loop(box.take()) }
        thread.name = "ilonet-store"
        thread.start()
        if inBackground { StartCheck.start(path: path, logger: logger, health: health) }
    }

    public var statistics: Statistics {
        var statistics = stats.withLock { $0 }
        statistics.walRestartsCaughtUp = checkpointer.caughtUpRestarts.load(ordering: .relaxed)
        statistics.walRestartsBlocking = checkpointer.blockingRestarts.load(ordering: .relaxed)
        return statistics
    }

    /// Runs `body` inside the next batch; `completion` gets its result after the
    /// batch committed, or the error that stopped it. Called on the worker thread.
    public func submit<T: Sendable>(
        _ body: @escaping @Sendable (ReportStore) throws(SQLiteError) -> T,
        completion: @escaping @Sendable (Result<T, SQLiteError>) -> Void
    ) {
        if let refusal = health.refusal {
            completion(.failure(refusal))
            return
        }
        let health = self.health
        let job = Job(run: { store in
            let result: Result<T, SQLiteError>
            do throws(SQLiteError) {
                // Prepared once (issue 32): sqlite3_exec would compile them again for every job.
                try store.database.cached("SAVEPOINT job").run()
                let ledger = store.pendingLedger
                do throws(SQLiteError) {
                    let value = try body(store)
                    try store.database.cached("RELEASE job").run()
                    result = .success(value)
                } catch {
                    try? store.database.cached("ROLLBACK TO job").run()
                    try? store.database.cached("RELEASE job").run()
                    store.resetCaches()
                    store.pendingLedger = ledger  // the job's counts go with its rows
                    health.check(error)
                    result = .failure(error)
                }
            } catch {
                health.check(error)
                result = .failure(error)
            }
            return { commitError in
                if let commitError, case .success = result {
                    completion(.failure(commitError))
                } else {
                    completion(result)
                }
            }
        }, fail: { error in completion(.failure(error)) })
        // The worker drains everything pending before it sleeps again, so only the
        // job that finds the list empty needs to wake it.
        let accepted = pending.withLock { state -> (accepted: Bool, wake: Bool) in
            guard !state.stopping else { return (false, false) }
            state.jobs.append(job)
            return (true, state.jobs.count == 1)
        }
        if accepted.wake {
            wakeup.signal()
        } else if !accepted.accepted {
            completion(.failure(SQLiteError(code: 21, message: "the store is shutting down", context: "submit")))
        }
    }

    /// Synchronous convenience for tools and start-up code (never the event loop).
    public func perform<T: Sendable>(_ body: @escaping @Sendable (ReportStore) throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Result<T, SQLiteError>?>(nil)
        submit(body) { result in
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try box.withLock { $0! }.get()
    }

    /// Finishes the jobs already submitted, closes the store and returns.
    /// After an erasure: the WAL is checkpointed and truncated to zero bytes soon
    /// (within a second, unless readers keep it busy; then at the next chance).
    public func truncateWALSoon() { checkpointer.requestTruncate() }

    public func stop() {
        let alreadyStopping = pending.withLock { state -> Bool in
            defer { state.stopping = true }
            return state.stopping
        }
        guard !alreadyStopping else { return }
        wakeup.signal()
        finished.wait()
        checkpointer.stop()
        lock.release()
    }

    private func loop(_ store: ReportStore) {
        store.defersLedger = true
        var lastCommitEnded: UInt64 = 0
        while true {
            wakeup.wait()
            while true {
                spaceCommits(after: lastCommitEnded)
                let (batch, stopping) = pending.withLock { state -> ([Job], Bool) in
                    let count = min(state.jobs.count, maximumBatch)
                    let batch = Array(state.jobs.prefix(count))
                    state.jobs.removeFirst(count)
                    return (batch, state.stopping)
                }
                if batch.isEmpty {
                    if stopping {
                        finished.signal()
                        return
                    }
                    break
                }
                runBatch(batch, store)
                catchUpIfAsked(store)
                lastCommitEnded = Timestamp.monotonicNanoseconds()
            }
        }
    }

    /// Waits until `commitSpacingNanoseconds` after the last commit ended, when
    /// fewer than `smallBatch` jobs wait (none waiting: the loop sleeps anyway).
    private func spaceCommits(after lastCommitEnded: UInt64) {
        let now = Timestamp.monotonicNanoseconds()
        guard now < lastCommitEnded + StoreWorker.commitSpacingNanoseconds else { return }
        let wait = StoreWorker.spacing(now: now, lastCommitEnded: lastCommitEnded, waiting: pending.withLock { $0.jobs.count })
        if wait > 0 { usleep(UInt32(wait / 1000)) }
    }

    /// Nanoseconds to wait before the next batch (`spaceCommits`).
    static func spacing(now: UInt64, lastCommitEnded: UInt64, waiting: Int) -> UInt64 {
        let due = lastCommitEnded + commitSpacingNanoseconds
        guard now < due, waiting > 0, waiting < smallBatch else { return 0 }
        return due - now
    }

    /// The checkpointer found the WAL past its restart size: between two
    /// batches, with no transaction open and no other writer, a PASSIVE
    /// checkpoint here copies the frames committed since its own, so that the
    /// next batch starts the WAL again from its beginning (`Checkpointer`). A
    /// failure only leaves that to the checkpointer's RESTART.
    private func catchUpIfAsked(_ store: ReportStore) {
        guard checkpointer.writerCatchUp.exchange(false, ordering: .relaxed) else { return }
        // (busy, frames in the WAL, frames copied)
        guard let passive = try? store.database.cached("PRAGMA wal_checkpoint(PASSIVE)") else { return }
        defer { store.database.resetPendingStatements() }
        if (try? passive.step()) == true, passive.int(0) == 0, passive.int(1) == passive.int(2) {
            checkpointer.writerCaughtUp()
        }
    }

    private func runBatch(_ batch: [Job], _ store: ReportStore) {
        var completions: [@Sendable (SQLiteError?) -> Void] = []
        completions.reserveCapacity(batch.count)
        var failure: SQLiteError?
        let began = Timestamp.monotonicNanoseconds()
        do {
            try store.database.execute("BEGIN IMMEDIATE")
        } catch {
            health.check(error)
            logger.error("store: cannot begin a transaction; refusing the batch", ["jobs": String(batch.count), "error": error.description])
            for job in batch { job.fail(error) }
            return
        }
        do throws(SQLiteError) {
            for job in batch { completions.append(job.run(store)) }
            // Queries that stopped early (a LIMIT, a lookup of one row) would keep
            // this connection's read transaction open past COMMIT, pinning the WAL.
            store.database.resetPendingStatements()
            // A store that failed meanwhile (a file removed under the node) commits
            // nothing more: what it would commit might not survive a restart.
            if let refusal = health.refusal { throw refusal }
            // The batch's statistics, one row change per ledger key (issue 32).
            try store.flushLedger()
            try store.database.execute("COMMIT")
            committedBatches.add(1, ordering: .releasing)
            let delivered = store.deliveredInBatch
            store.deliveredInBatch.removeAll()
            if !delivered.isEmpty, let hook = deliveriesCommitted.withLock({ $0 }) { hook(delivered) }
        } catch {
            failure = error
            store.deliveredInBatch.removeAll()
            health.check(error)
            try? store.database.execute("ROLLBACK")
            store.resetCaches()
            store.pendingLedger = PendingLedger()
            logger.error("store: commit failed; nothing in the batch was acknowledged", ["jobs": String(batch.count), "error": error.description])
        }
        let seconds = Double(Timestamp.monotonicNanoseconds() - began) / 1e9
        stats.withLock {
            $0.batches += 1
            $0.jobs += batch.count
            $0.largestBatch = max($0.largestBatch, batch.count)
            $0.commitSeconds += seconds
            for (index, bound) in StoreWorker.commitBounds.enumerated() where seconds <= bound { $0.commitBuckets[index] += 1 }
        }
        for completion in completions { completion(failure) }
    }
}

/// Moves a non-Sendable value to exactly one other thread. Used once, to hand the
/// freshly opened store to the worker thread that then owns it alone.
struct UncheckedTransfer<Value>: @unchecked Sendable {
    private var value: Value?
    init(_ value: Value) { self.value = value }
    func take() -> Value { value! }
}
