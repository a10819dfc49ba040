import Foundation
import Synchronization

/// Copies the WAL back into the database file from a thread and connection of
/// its own, so that the commit path never pays for a checkpoint. The writer's
/// connection has automatic checkpoints turned off; this one runs a PASSIVE
/// checkpoint (it never blocks the writer) every `interval`, and a TRUNCATE one
/// when the node stops.
final class Checkpointer: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(path: String, interval: Double, logger: Logger) throws(SQLiteError) {
        let database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA synchronous=FULL")
        let box = UncheckedTransfer(database)
        let thread = Thread { [self] in
            let database = box.take()
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
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

    func stop() {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
    }
}
