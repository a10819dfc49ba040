import Foundation
import Synchronization

/// Copies the WAL back into the database file from a thread and connection of
/// its own, so that the commit path never pays for a checkpoint. The writer's
/// connection has automatic checkpoints turned off; this one runs a PASSIVE
/// checkpoint (it never blocks the writer) every `interval`, and a TRUNCATE one
/// when the node stops.
final class Checkpointer: Sendable {
    private let stopping = Atomic<Bool>(false)
    /// Set after an erasure: the next checkpoint truncates the WAL to zero bytes,
    /// so no copy of the erased pages stays in it. Kept set until one succeeds.
    private let truncateRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// `walSizeLimit`: the WAL file's size limit (`ReportStore.walSizeLimit`);
    /// the WAL starts again past a quarter of it in frames (`restartBytes`).
    init(path: String, interval: Double, walSizeLimit: Int, logger: Logger, health: StoreHealth) throws(SQLiteError) {
        let database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA synchronous=FULL")
        try database.execute("PRAGMA journal_size_limit=\(walSizeLimit)")
        let restartBytes = Int64(walSizeLimit) / 4
        self.restartBytes = restartBytes
        let pageSize = try database.scalarInt("PRAGMA page_size") ?? 4096
        let frameBytes = pageSize + 24  // a WAL frame: its header and one page
        let box = UncheckedTransfer(database)
        let initialFiles = StoreFiles(path: path)
        let thread = Thread { [self] in
            let database = box.take()
            var files = initialFiles  // this thread's own copy
            var restartAt = restartBytes
            var askedWriter = false  // the last round set `writerCatchUp`
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
                // A database or WAL file removed or replaced under the node: what it
                // acknowledges from now on may not survive a restart.
                if let problem = files.problem() {
                    // First the store fails: from now on the writer commits nothing (a batch
                    // under way checks before its COMMIT and rolls back). Then this
                    // connection, which still holds the old WAL open, copies what it holds
                    // into the database file; the checkpoint waits for a commit in progress,
                    // so every report ever acknowledged is copied. (Rescuing first and failing
                    // after lost the reports committed in between: issue 27.)
                    health.fail(problem)
                    let rescued = (try? database.scalarInt("PRAGMA wal_checkpoint(TRUNCATE)")) == 0
                    health.record(
                        rescued
                            ? "everything acknowledged was copied into the database file"
                            : "the WAL could not be copied into the database file: reports acknowledged since the last checkpoint may be only in the removed file")
                }
                guard health.failureReason == nil else { continue }
                if truncateRequested.load(ordering: .relaxed) {
                    // (busy, WAL frames, frames checkpointed); busy = 1: readers or the writer were in the way.
                    if let busy = try? database.scalarInt("PRAGMA wal_checkpoint(TRUNCATE)"), busy == 0 {
                        truncateRequested.store(false, ordering: .relaxed)
                        logger.info("store: WAL truncated after erasure")
                    }
                    continue
                }
                do throws(SQLiteError) {
                    // (busy, frames in the WAL, frames checkpointed)
                    let passive = try database.cached("PRAGMA wal_checkpoint(PASSIVE)")
                    let frames = try passive.step() ? passive.int(1) : 0
                    database.resetPendingStatements()
                    let inUse = frames * frameBytes
                    // PASSIVE never makes the writer wait, but under a steady stream of
                    // commits it never catches up with the WAL's end, and only a
                    // checkpoint that does lets the WAL start again from its beginning:
                    // the file grew by 30 MB a second at 400 reports a second. Past
                    // `restartAt` bytes of frames, this thread asks the writer to copy
                    // the few frames committed since, between two batches, with a
                    // PASSIVE checkpoint of its own (`writerCatchUp`): no commit can
                    // come in between, so every frame is copied and the writer's next
                    // transaction starts the WAL again from its beginning. No commit
                    // waits for another thread (issue 32). The writer is asked again
                    // each round it caught up in (under load the WAL is past the mark
                    // again within a few rounds). Only after a round in which it
                    // did not (a reader in the WAL, an idle writer), RESTART copies the
                    // last frames and waits until the WAL can start again; it holds new
                    // commits back meanwhile, so it waits 100 ms at most and, when
                    // readers were still there, waits for twice as many frames before it
                    // tries again (a backup or an integrity check reading for minutes
                    // does not stall acknowledgements every round).
                    // At 2,800 reports a second RESTART had held commits back 5-90 ms
                    // twice a second (docs/PERFORMANCE.md).
                    //
                    // `restartBytes` is a quarter of the size the writer truncates the
                    // WAL to (`journal_size_limit`), so under load the file keeps its size
                    // and is overwritten from its beginning: restarting only when the
                    // file was past the limit held commits back 70-100 ms, most of it the
                    // truncation and the first fsync after it. Each start still costs
                    // the writer's catch-up, 5-7 ms of checkpoint and fsyncs between two
                    // batches under load: at 64 MiB it comes a quarter as often as at
                    // 16 MiB (issue 32, docs/PERFORMANCE.md).
                    let writerCaughtUp = writerCaughtUpSinceAsked.exchange(false, ordering: .relaxed)
                    if inUse <= restartAt {
                        askedWriter = false
                    } else if !askedWriter || writerCaughtUp {
                        askedWriter = true
                        writerCatchUp.store(true, ordering: .relaxed)
                    } else {
                        askedWriter = false
                        writerCatchUp.store(false, ordering: .relaxed)
                        // SQLite's own busy wait (1, 2, 5 ms …): polling faster here would take
                        // the writer's CPU while it finishes the batch RESTART waits for.
                        try database.execute("PRAGMA busy_timeout=100")
                        defer { database.waitWhenBusy(milliseconds: 5000) }
                        if let busy = try database.scalarInt("PRAGMA wal_checkpoint(RESTART)"), busy == 0 {
                            blockingRestarts.add(1, ordering: .relaxed)
                            logger.debug("store: WAL restarted", ["wal_bytes": String(inUse)])
                            restartAt = restartBytes
                        } else {
                            restartAt *= 2
                        }
                    }
                } catch {
                    health.check(error)
                    logger.warning("store: checkpoint failed; will try again", ["error": error.description])
                }
            }
            if health.failureReason == nil { try? database.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
            finished.signal()
        }
        thread.name = "ilonet-checkpoint"
        thread.start()
    }

    /// Set when the WAL holds more than `restartAt` bytes of frames: the writer,
    /// between two batches, runs a PASSIVE checkpoint on its own connection
    /// (`StoreWorker`), which copies every frame as no commit can come in
    /// between; its next transaction then starts the WAL again.
    let writerCatchUp = Atomic<Bool>(false)

    /// The writer's checkpoint copied every frame: its next commit starts the
    /// WAL again (unless a reader is still in the WAL; then a later one does).
    func writerCaughtUp() {
        caughtUpRestarts.add(1, ordering: .relaxed)
        writerCaughtUpSinceAsked.store(true, ordering: .relaxed)
    }
    private let writerCaughtUpSinceAsked = Atomic<Bool>(false)

    /// How often the WAL was made to start again since the node started: by the
    /// writer (it copied every frame when asked; no commit waited), and by a
    /// RESTART checkpoint that held new commits back while it ran.
    let caughtUpRestarts = Atomic<Int>(0)
    let blockingRestarts = Atomic<Int>(0)

    /// The WAL size past which a checkpoint makes the WAL start again (RESTART):
    /// a quarter of the size it is truncated to, so that it is not truncated.
    let restartBytes: Int64

    func requestTruncate() { truncateRequested.store(true, ordering: .relaxed) }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
    }
}
