import Foundation
import Glibc
import Synchronization

/// One node per store: an exclusive `flock` on `<store>.lock`, held from the
/// store's opening to `StoreWorker.stop` (or the process's end, a SIGKILL
/// included: the kernel drops the lock with the last descriptor).
///
/// SQLite lets two processes write one file, and each would take the other's
/// commits for its own: two audit chains from one head, a report queued twice,
/// its deliveries read by whichever node the reader reached (the listening
/// sockets use SO_REUSEPORT, so a second `ilod` on the same address shares the
/// connections with the first instead of failing). The file holds the holder's
/// process id, for the message the second one prints. Tools that only read the
/// store (`ilo audit verify` on a copy, `sqlite3`) take no lock.
final class StoreLock: Sendable {
    private let fd: Atomic<Int32>

    enum Failure: Error, CustomStringConvertible {
        case heldBy(path: String, pid: String)
        case cannotOpen(path: String, reason: String)

        var description: String {
            switch self {
            case .heldBy(let path, let pid):
                "store: another ilod (process \(pid)) is serving this store (\(path) is locked); "
                    + "stop it first (systemctl stop ilod, or kill \(pid)), or give this node a store of its own"
            case .cannotOpen(let path, let reason):
                "store: cannot open the lock file \(path) (\(reason)); ilod keeps it beside the store"
            }
        }
    }

    init(store path: String) throws(Failure) {
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: lockPath, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            guard reason == EWOULDBLOCK else { throw .cannotOpen(path: lockPath, reason: String(cString: strerror(reason))) }
            let pid = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .heldBy(path: lockPath, pid: pid.isEmpty ? "unknown" : pid)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
        self.fd = Atomic(fd)
    }

    /// Lets another node open the store (after `StoreWorker.stop`).
    func release() {
        let fd = fd.exchange(-1, ordering: .relaxed)
        if fd >= 0 { close(fd) }
    }

    deinit { release() }
}
