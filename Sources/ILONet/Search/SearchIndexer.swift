/// Keeps the full-text index in step with the store (docs/REPORTS.md §10): a
/// store job indexes the reports committed since the last one, in the next
/// group commit, so the acknowledgement path does not wait for FTS5 (measured
/// in docs/PERFORMANCE.md). While reports arrive it runs every 5 ms, so that
/// each job is small and the commit that carries it is not held up for long
/// (every 0.2 s, the jobs were large enough to show in the acknowledgement's
/// p99); on a quiet node every 0.2 s. After a start with a backlog (a crash
/// between a commit and its indexing, or an upgrade) it runs job after job
/// until caught up. SEARCH asks for a catch-up first, so a search always sees
/// every report acknowledged before it. Lives on one loop.
final class SearchIndexer {
    let loop: EventLoop
    let services: NodeServices
    /// Seqs one job covers at most: more than 0.2 s of the node's peak rate.
    static let batch: Int64 = 20_000
    /// Between jobs while reports arrive, and on a quiet node.
    static let busyInterval = 0.005
    static let interval = 0.2

    init(loop: EventLoop, services: NodeServices) {
        self.loop = loop
        self.services = services
    }

    func start() { run() }

    private func run() {
        let bound = LoopBound(self, loop: loop)
        let logger = services.logger
        services.store.submit({ store throws(SQLiteError) in try store.indexPending(limit: SearchIndexer.batch) }) { result in
            var again = SearchIndexer.interval
            switch result {
            case .success(let covered) where covered == SearchIndexer.batch:
                again = 0  // a backlog: keep going
            case .success(let covered) where covered > 0:
                again = SearchIndexer.busyInterval
            case .success:
                break
            case .failure(let error):
                logger.error("search index not updated; trying again", ["error": error.description])
                again = 1
            }
            let delay = again
            bound.loop.execute { bound.value.loop.schedule(after: delay) { bound.value.run() } }
        }
    }
}

@available(*, unavailable)
extension SearchIndexer: Sendable {}
