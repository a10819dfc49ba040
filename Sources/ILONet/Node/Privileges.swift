import Glibc

/// Dropping root: a daemon started as root binds its ports and reads its key,
/// then becomes an unprivileged user for the rest of its life (as Postfix's and
/// Mosquitto's daemons do). Done before any thread but the main one exists.
public enum Privileges {
    public struct DropError: Error, CustomStringConvertible {
        public let description: String
    }

    public static var isRoot: Bool { geteuid() == 0 }

    /// Switches the process to `user` (and `group`, default: the user's primary
    /// group), with no supplementary groups but that one. Throws when the user or
    /// group is unknown, a call fails, or root can be regained afterwards.
    public static func drop(toUser user: String, group: String?) throws(DropError) {
        guard let account = lookUpUser(user) else { throw DropError(description: "user \"\(user)\": no such user") }
        var gid = account.gid
        if let group {
            guard let found = lookUpGroup(group) else { throw DropError(description: "group \"\(group)\": no such group") }
            gid = found
        }
        guard account.uid != 0 else { throw DropError(description: "user \"\(user)\" is root; name an unprivileged user") }
        var groups = [gid]
        guard setgroups(1, &groups) == 0 else { throw failure("setgroups") }
        guard setgid(gid) == 0 else { throw failure("setgid(\(gid))") }
        guard setuid(account.uid) == 0 else { throw failure("setuid(\(account.uid))") }
        guard setuid(0) != 0, geteuid() == account.uid, getegid() == gid else {
            throw DropError(description: "root privileges could be regained after switching to \"\(user)\"")
        }
    }

    private static func failure(_ call: String) -> DropError {
        DropError(description: "\(call): \(String(cString: strerror(errno)))")
    }

    private static func lookUpUser(_ name: String) -> (uid: uid_t, gid: gid_t)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return (entry.pw_uid, entry.pw_gid)
    }

    private static func lookUpGroup(_ name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
