import Synchronization

/// The sessions watching for new deliveries (`ilo watch`), by identity, so that
/// a report delivered to someone reaches their open stream at once.
final class WatcherRegistry: Sendable {
    /// A watcher, and whether a pull is already on its way to its loop.
    private final class Entry: Sendable {
        let watcher: LoopBound<Watcher>
        let pullScheduled = Atomic<Bool>(false)
        init(_ watcher: LoopBound<Watcher>) { self.watcher = watcher }
    }

    private let table = Mutex<[String: [ObjectIdentifier: Entry]]>([:])

    func add(_ watcher: Watcher) {
        let entry = Entry(LoopBound(watcher, loop: watcher.loop))
        table.withLock { $0[watcher.identity.id, default: [:]][ObjectIdentifier(watcher)] = entry }
    }

    func remove(_ watcher: Watcher) {
        table.withLock { table in
            table[watcher.identity.id]?[ObjectIdentifier(watcher)] = nil
            if table[watcher.identity.id]?.isEmpty == true { table[watcher.identity.id] = nil }
        }
    }

    /// New deliveries for `identities` were committed: their watchers pull,
    /// unless a read that began after the latest commit is on its way or done.
    /// The store worker calls it once per batch, after the COMMIT
    /// (`StoreWorker.onDeliveriesCommitted`; issue 32: a poke from each job's
    /// completion made about five reads for every one that found something).
    /// A watcher whose pull is scheduled and has not started yet is not
    /// scheduled again: that pull starts after this commit and reads it too.
    /// (A batch of reports to one reader made one loop task per report,
    /// issue 32.)
    func poke(_ identities: some Sequence<String>) {
        var targets: [Entry] = []
        table.withLock { table in
            for identity in identities { if let entries = table[identity] { targets.append(contentsOf: entries.values) } }
        }
        for entry in targets where !entry.pullScheduled.exchange(true, ordering: .acquiringAndReleasing) {
            entry.watcher.loop.execute {
                entry.pullScheduled.store(false, ordering: .releasing)
                entry.watcher.value.pull(poked: true)
            }
        }
    }
}
