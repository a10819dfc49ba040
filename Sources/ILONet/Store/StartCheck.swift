internal import CSQLite
import Foundation

/// `PRAGMA quick_check` at start reads the whole store: about 0.5 s per 64 MiB
/// from a warm page cache, a minute for 8 GB. A node on a store up to
/// `checkFirstBytes` checks before it serves (and refuses to start on a damaged
/// one); on a larger store it serves at once and checks on a thread and
/// connection of its own, so that a restart with millions of reports is not a
/// minute of silence. What that check finds fails the store as damage met
/// while running does: nothing more is acknowledged, the node says why
/// everywhere and writes `STORE.damaged` (docs/OPERATIONS.md §8).
///
/// The check reads one snapshot, and while it does the WAL cannot be reset past
/// it: the WAL grows with every commit until the check ends. So the check
/// begins only after `delay` (a node that keeps crashing right after its start
/// never begins one, and never leaves a grown WAL to the next start), and it
/// stops itself when the WAL passes `walLimit`, to try again `retry` later.
enum StartCheck {
    static let checkFirstBytes: Int64 = 64 << 20
    static let delay = 5.0
    static let walLimit: Int64 = 1 << 30
    static let retry = 600.0

    /// Whether the store at `path` is large enough to be checked beside serving.
    static func inBackground(_ path: String) -> Bool {
        StoreFiles.size(path) > checkFirstBytes
    }

    static func start(path: String, logger: Logger, health: StoreHealth) {
        logger.info(
            "store check running beside serving (a large store)",
            ["store": path, "check": "quick_check", "begins_in_seconds": String(format: "%.0f", delay)])
        let thread = Thread {
            Thread.sleep(forTimeInterval: delay)
            while health.failureReason == nil, !run(path: path, logger: logger, health: health) {
                Thread.sleep(forTimeInterval: retry)
            }
        }
        thread.name = "ilonet-check"
        thread.start()
    }

    /// One check; false when it stopped before the end (the WAL grew too long).
    private static func run(path: String, logger: Logger, health: StoreHealth) -> Bool {
        let began = Timestamp.monotonicNanoseconds()
        do throws(SQLiteError) {
            let database = try SQLiteDatabase(path: path, mode: .readOnly)
            let wal = path + "-wal"
            let walAtStart = StoreFiles.size(wal)
            database.stopWhen { StoreFiles.size(wal) > max(walLimit, walAtStart) }
            let result = try database.scalarText("PRAGMA quick_check(20)") ?? ""
            let seconds = String(format: "%.3f", Double(Timestamp.monotonicNanoseconds() - began) / 1e9)
            if result == "ok" {
                logger.info("store checked", ["check": "quick_check", "result": "ok", "seconds": seconds, "beside_serving": "true"])
            } else {
                health.fail("PRAGMA quick_check at start found the database damaged (\(result))")
            }
            return true
        } catch {
            if error.code & 0xFF == SQLITE_INTERRUPT {  // stopped by the WAL limit
                logger.warning(
                    "store check stopped: the WAL grew past its limit while the check held its snapshot; it runs again later",
                    ["wal_limit_bytes": String(walLimit), "again_in_seconds": String(format: "%.0f", retry)])
                return false
            }
            health.check(error)
            if health.failureReason == nil { logger.warning("store check at start could not run", ["error": error.description]) }
            return true
        }
    }
}
