internal import CILOShims
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Threads with read-only connections of their own that answer the long
/// queries — digest previews, audit pages, queue listings, status, metrics —
/// beside the writer. WAL lets them read while the writer commits, so no
/// reader ever delays an acknowledgement (issue 14: 40 pipelined 100-year
/// previews made another officer's publish wait 13.7 s when they ran on the
/// writer's thread). Each job has a time budget (`limits.read-budget`): past
/// it SQLite stops the query and the job fails with `isOverBudget`.
public final class StoreReaders: Sendable {
    private struct Job: Sendable {
        let run: @Sendable (ReportStore) -> Void
        let fail: @Sendable (SQLiteError) -> Void
    }

    private let pending = Mutex<(jobs: [Job], stopping: Bool)>(([], false))
    private let wakeup = DispatchSemaphore(value: 0)
    private let budget: Double
    private let health: StoreHealth

    /// - Parameter niceness: the threads' nice value. Long reads run at 10:
    ///   below the writer and the event loops, so that on a busy node they wait
    ///   for the CPU and acknowledgements do not. The subscribers' streams read
    ///   at 0 (`Watcher`): their reads are short and keep deliveries flowing.
    public init(path: String, threads: Int, budget: Double, health: StoreHealth, niceness: Int32 = 10, name: String = "ilonet-reader") throws(SQLiteError) {
        self.budget = budget
        self.health = health
        for index in 0..<threads {
            let box = UncheckedTransfer(try ReportStore(readerOf: path))
            let thread = Thread { [self] in
                if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(ilo_gettid()), niceness) }  // this thread only
                self.loop(box.take())
            }
            thread.name = threads == 1 ? name : "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a reader thread; `completion` gets its result there.
    public func submit<T: Sendable>(
        _ body: @escaping @Sendable (ReportStore) throws(SQLiteError) -> T,
        completion: @escaping @Sendable (Result<T, SQLiteError>) -> Void
    ) {
        if let refusal = health.refusal { return completion(.failure(refusal)) }
        let budget = self.budget
        let health = self.health
        let job = Job(
            run: { store in
                store.database.limitTime(to: budget)
                // One read transaction for the whole job: one snapshot, and the
                // locks taken once (each statement on its own would take and
                // release them: 4 times for a stream's read, issue 32).
                let began = (try? store.database.cached("BEGIN").run()) != nil
                let result: Result<T, SQLiteError>
                do throws(SQLiteError) { result = .success(try body(store)) } catch {
                    health.check(error)
                    result = .failure(error)
                }
                store.database.resetPendingStatements()
                store.database.limitTime(to: nil)  // a job over its budget must still end its transaction
                if began { _ = try? store.database.cached("COMMIT").run() }  // ends the read transaction
                // Never left open: it would hold this reader on an old snapshot and pin the WAL.
                if !store.database.isAutocommit { try? store.database.execute("ROLLBACK") }
                completion(result)
            }, fail: { completion(.failure($0)) })
        let accepted = pending.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { wakeup.signal() } else { job.fail(SQLiteError(code: 21, message: "the store is shutting down", context: "submit")) }
    }

    public func stop() {
        let jobs = pending.withLock { state -> [Job] in
            state.stopping = true
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        for job in jobs { job.fail(SQLiteError(code: 21, message: "the store is shutting down", context: "stop")) }
        wakeup.signal()
    }

    private func loop(_ store: ReportStore) {
        while true {
            wakeup.wait()
            let (job, stopping) = pending.withLock { state -> (Job?, Bool) in
                (state.jobs.isEmpty ? nil : state.jobs.removeFirst(), state.stopping)
            }
            if let job {
                job.run(store)
            } else if stopping {
                wakeup.signal()  // wake the next reader thread so it stops too
                return
            }
        }
    }
}
