import Foundation
import Glibc
import Synchronization
import ILONetBench

/// A TCP proxy on 127.0.0.1 that makes the link between two nodes as bad as a
/// post's uplink can be: latency, a bandwidth cap, cuts in the middle of a frame
/// after a number of bytes, blackholing (bytes vanish, nothing is closed), and
/// cutting every connection now. Settings change while it runs.
///
/// Each connection is two directions; each direction is a reader thread that
/// timestamps what it reads and a writer thread that releases it after `delay`,
/// no faster than `bytesPerSecond`. The proxy knows nothing of TLS or frames, so
/// a cut lands wherever the byte count says.
final class FlakyLink: @unchecked Sendable {  // shared state is in Mutexes
    struct Settings {
        /// Added to every byte's trip, one way.
        var delay: Double = 0
        /// Bytes per second in each direction (nil: as fast as the sockets go).
        var bytesPerSecond: Int?
        /// Close both sides after this many bytes went towards the target on one
        /// connection; the last chunk is written only in part, so the cut falls mid-frame.
        var cutAfterBytes: Int?
        /// Read and drop everything, in both directions, and close nothing.
        var blackhole = false
        /// Once this many bytes went towards the target on a connection, the next
        /// bytes coming back are not delivered: both sides are cut instead. An
        /// acknowledgement lost after the request arrived.
        var cutAnswersAfterBytesToTarget: Int?
    }

    struct Counters {
        var connections = 0
        var cuts = 0
        var bytesToTarget = 0
    }

    let port: UInt16
    private let target: UInt16
    private let listener: Int32
    let settings = Mutex(Settings())
    let counters = Mutex(Counters())
    private let live = Mutex<[Int32]>([])
    private let stopped = Atomic<Bool>(false)

    init(to target: UInt16) throws {
        self.target = target
        guard let (fd, bound) = LoopbackSocket.listen(port: 0, backlog: 64) else { throw FlakyLinkError("cannot listen: errno \(errno)") }
        listener = fd
        port = bound
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Cuts every open connection now (both sides see the connection reset or closed).
    func cutAll() {
        let sockets = live.withLock { $0 }
        if !sockets.isEmpty { counters.withLock { $0.cuts += 1 } }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        cutAll()
    }

    deinit { if !stopped.load(ordering: .relaxed) { stop() } }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            guard let server = LoopbackSocket.connect(port: target) else {
                close(client)
                continue
            }
            counters.withLock { $0.connections += 1 }
            live.withLock { $0 += [client, server] }
            let connection = LinkConnection(client: client, server: server)
            pump(from: client, to: server, towardsTarget: true, connection)
            pump(from: server, to: client, towardsTarget: false, connection)
        }
    }

    /// Both sockets of one proxied connection; closed when both directions ended.
    private final class LinkConnection: @unchecked Sendable {  // `ended` is its only mutable state
        let client: Int32
        let server: Int32
        let ended = Atomic<Int>(0)
        let towardsTarget = Atomic<Int>(0)
        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
    }

    private struct Chunk {
        let due: Double
        let bytes: [UInt8]
    }

    private func pump(from source: Int32, to sink: Int32, towardsTarget: Bool, _ connection: LinkConnection) {
        let queue = Mutex<(chunks: [Chunk], finished: Bool)>(([], false))
        let signal = DispatchSemaphore(value: 0)
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                let now = Date().timeIntervalSinceReferenceDate
                let current = settings.withLock { $0 }
                if current.blackhole { continue }
                queue.withLock { $0.chunks.append(Chunk(due: now + current.delay, bytes: Array(buffer[0..<count]))) }
                signal.signal()
            }
            queue.withLock { $0.finished = true }
            signal.signal()
        }.start()
        Thread { [self] in
            var sentOnThisConnection = 0
            writing: while true {
                signal.wait()
                while let chunk = queue.withLock({ $0.chunks.isEmpty ? nil : $0.chunks.removeFirst() }) {
                    let wait = chunk.due - Date().timeIntervalSinceReferenceDate
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                    let current = settings.withLock { $0 }
                    var bytes = chunk.bytes
                    var cut = false
                    if !towardsTarget, let limit = current.cutAnswersAfterBytesToTarget, connection.towardsTarget.load(ordering: .relaxed) >= limit {
                        counters.withLock { $0.cuts += 1 }
                        shutdown(connection.client, Int32(SHUT_RDWR))
                        shutdown(connection.server, Int32(SHUT_RDWR))
                        break writing
                    }
                    if towardsTarget, let limit = current.cutAfterBytes, sentOnThisConnection + bytes.count >= limit {
                        bytes = Array(bytes.prefix(max(1, (limit - sentOnThisConnection) / 2)))
                        cut = true
                    }
                    if let rate = current.bytesPerSecond { Thread.sleep(forTimeInterval: Double(bytes.count) / Double(rate)) }
                    if !LoopbackSocket.writeAll(sink, bytes) { break writing }
                    sentOnThisConnection += bytes.count
                    if towardsTarget {
                        counters.withLock { $0.bytesToTarget += bytes.count }
                        connection.towardsTarget.add(bytes.count, ordering: .relaxed)
                    }
                    if cut {
                        counters.withLock { $0.cuts += 1 }
                        shutdown(connection.client, Int32(SHUT_RDWR))
                        shutdown(connection.server, Int32(SHUT_RDWR))
                        break writing
                    }
                }
                if queue.withLock({ $0.finished && $0.chunks.isEmpty }) { break }
            }
            // One direction ended: end the other too, and close when both have.
            shutdown(connection.client, Int32(SHUT_RDWR))
            shutdown(connection.server, Int32(SHUT_RDWR))
            if connection.ended.add(1, ordering: .relaxed).newValue == 2 {
                live.withLock { $0.removeAll { $0 == connection.client || $0 == connection.server } }
                close(connection.client)
                close(connection.server)
            }
        }.start()
    }
}

struct FlakyLinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
