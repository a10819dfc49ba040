import Synchronization

/// The sessions watching for new deliveries (`ilo watch`), by identity, so that
/// a report delivered to someone reaches their open stream at once.
final class WatcherRegistry: Sendable {
    private let table = Mutex<[String: [ObjectIdentifier: LoopBound<Watcher>]]>([:])

    func add(_ watcher: Watcher) {
        let bound = LoopBound(watcher, loop: watcher.loop)
        table.withLock { $0[watcher.identity.id, default: [:]][ObjectIdentifier(watcher)] = bound }
    }

    func remove(_ watcher: Watcher) {
        table.withLock { table in
            table[watcher.identity.id]?[ObjectIdentifier(watcher)] = nil
            if table[watcher.identity.id]?.isEmpty == true { table[watcher.identity.id] = nil }
        }
    }

    func poke(_ identities: some Sequence<String>) {
        let targets = table.withLock { table in identities.flatMap { table[$0].map { Array($0.values) } ?? [] } }
        for target in targets { target.loop.execute { target.value.pull() } }
    }
}
