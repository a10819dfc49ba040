import Foundation

/// `PRAGMA quick_check` at start reads the whole store: about 0.5 s per 64 MiB
/// from a warm page cache, a minute for 8 GB. A node on a store up to
/// `checkFirstBytes` checks before it serves (and refuses to start on a damaged
/// one); on a larger store it serves at once and checks on a thread and
/// connection of its own, so that a restart with millions of reports is not
/// a minute of silence. What the background check finds fails the store as
/// damage met while running does: nothing more is acknowledged, the node says
/// why everywhere and writes `STORE.damaged` (docs/OPERATIONS.md §8).
enum StartCheck {
    static let checkFirstBytes: Int64 = 64 << 20

    /// Whether the store at `path` is large enough to be checked beside serving.
    static func inBackground(_ path: String) -> Bool {
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64 ?? 0
        return bytes > checkFirstBytes
    }

    static func start(path: String, logger: Logger, health: StoreHealth) {
        logger.info("store check running beside serving (a large store)", ["store": path, "check": "quick_check"])
        let thread = Thread {
            let began = Timestamp.monotonicNanoseconds()
            do throws(SQLiteError) {
                let database = try SQLiteDatabase(path: path)
                let result = try database.scalarText("PRAGMA quick_check(20)") ?? ""
                let seconds = String(format: "%.3f", Double(Timestamp.monotonicNanoseconds() - began) / 1e9)
                if result == "ok" {
                    logger.info("store checked", ["check": "quick_check", "result": "ok", "seconds": seconds, "beside_serving": "true"])
                } else {
                    health.fail("PRAGMA quick_check at start found the database damaged (\(result))")
                }
            } catch {
                health.check(error)
                if health.failureReason == nil { logger.warning("store check at start could not run", ["error": error.description]) }
            }
        }
        thread.name = "ilonet-check"
        thread.start()
    }
}
