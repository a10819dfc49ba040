import Foundation
import Glibc

/// Listening ports for the tests' nodes and sandboxes, handed out once per run.
///
/// Every test network uses the same node names and the same test PKI, so a
/// node that connects to another network's node on a reused port is let in. A
/// port the kernel picks (`listen 127.0.0.1:0`) comes from the ephemeral range
/// and is picked again for another test's node as soon as its first owner
/// stops; a peer still configured for it then talks to the wrong network
/// (seen in CI: a post's report relayed into another test's hub, a notice about
/// another test's report). Ports here come from 20000–32000, below Linux's
/// ephemeral range (32768–60999 by default), so neither the kernel's port 0
/// nor an outgoing connection ever lands on one, and this run hands each out
/// once: a stopped node's port waits for it to start again.
enum TestPorts {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var taken: Set<Int> = []
    nonisolated(unsafe) private static var cursor = 20_000 + Int(getpid() % 120) * 100 + 60
    static let range = 20_000..<32_000

    /// One port that is free now and that no other node or sandbox of this run has.
    static func one() -> UInt16 {
        lock.lock()
        defer { lock.unlock() }
        while true {
            let candidate = cursor
            cursor = cursor + 1 >= range.upperBound ? range.lowerBound : cursor + 1
            if !taken.contains(candidate), isFree(candidate) {
                taken.insert(candidate)
                return UInt16(candidate)
            }
        }
    }

    /// A base, a multiple of 100, whose ports `base + 1 … base + size` are free
    /// now and not handed out in this run; all of them are then taken.
    static func block(size: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        var base = 20_000 + Int(getpid() % 120) * 100
        while true {
            let ports = (base + 1)...(base + size)
            if ports.allSatisfy({ !taken.contains($0) }), ports.allSatisfy(isFree) {
                taken.formUnion(ports)
                return base
            }
            base = base + 100 + size >= range.upperBound ? range.lowerBound : base + 100
        }
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
