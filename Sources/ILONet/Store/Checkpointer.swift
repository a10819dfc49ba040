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

    init(path: String, interval: Double, logger: Logger) throws(SQLiteError) {
        let database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA synchronous=FULL")
        try database.execute("PRAGMA journal_size_limit=\(ReportStore.walSizeLimit)")
        let box = UncheckedTransfer(database)
        let thread = Thread { [self] in
            let database = box.take()
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
                if truncateRequested.load(ordering: .relaxed) {
                    // (busy, WAL frames, frames checkpointed); busy = 1: readers or the writer were in the way.
                    if let busy = try? database.scalarInt("PRAGMA wal_checkpoint(TRUNCATE)"), busy == 0 {
                        truncateRequested.store(false, ordering: .relaxed)
                        logger.info("store: WAL truncated after erasure")
                    }
                    continue
                }
                do throws(SQLiteError) { try database.execute("PRAGMA wal_checkpoint(PASSIVE)") } catch {
                    logger.warning("store: checkpoint failed; will try again", ["error": error.description])
                }
            }
            try? database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finished.signal()
        }
        thread.name = "ilonet-checkpoint"
        thread.start()
    }

    func requestTruncate() { truncateRequested.store(true, ordering: .relaxed) }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
    }
}
