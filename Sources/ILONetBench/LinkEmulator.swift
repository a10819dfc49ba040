import Foundation
import Glibc
import Synchronization

/// A post's link in user space (issue 30; the kernels of these machines have no
/// `netem`): a TCP proxy on 127.0.0.1 that gives each direction a rate and half
/// the round trip of delay, buffers no more than a modem would (so the sender's
/// TCP feels the rate, as on the real link), and cuts every connection on a
/// schedule. `ilo bench link` runs one; `bench/link.sh` puts one between `ilo`
/// and a post node.
///
/// Each direction is a reader that takes at most one segment (1,448 bytes) at a
/// time while the link's queue holds less than its buffer, stamps it with the
/// time its last bit leaves (the link is busy one segment after the other at
/// the rate, one uplink and one downlink shared by all connections) plus half
/// the round trip, and a writer that delivers it then. The
/// TCP handshake between the client and the proxy happens on loopback, so the
/// first bytes up wait one round trip more: the client sees a new connection
/// cost what it costs on the real link.
public final class LinkEmulator: @unchecked Sendable {  // shared state is in Mutexes and Atomics
    public struct Profile: Sendable, Equatable {
        public var upBitsPerSecond: Double
        public var downBitsPerSecond: Double
        public var roundTrip: Double
        /// Cut every connection every `cutEvery` seconds for `cutFor` seconds (nil: never).
        public var cutEvery: Double?
        public var cutFor: Double = 0

        public init(upBitsPerSecond: Double, downBitsPerSecond: Double, roundTrip: Double, cutEvery: Double? = nil, cutFor: Double = 0) {
            self.upBitsPerSecond = upBitsPerSecond
            self.downBitsPerSecond = downBitsPerSecond
            self.roundTrip = roundTrip
            self.cutEvery = cutEvery
            self.cutFor = cutFor
        }

        /// The profiles: `satellite` (256 kbit/s up, 1 Mbit/s down, 600 ms),
        /// `3g` (384 kbit/s both ways, 150 ms), `cuts` (satellite, cut every 30 s for 10 s).
        public static let named: [String: Profile] = [
            "satellite": Profile(upBitsPerSecond: 256_000, downBitsPerSecond: 1_000_000, roundTrip: 0.6),
            "3g": Profile(upBitsPerSecond: 384_000, downBitsPerSecond: 384_000, roundTrip: 0.15),
            "cuts": Profile(upBitsPerSecond: 256_000, downBitsPerSecond: 1_000_000, roundTrip: 0.6, cutEvery: 30, cutFor: 10),
        ]

        /// What the modem holds at most per direction: the bandwidth-delay product and 16 KiB more.
        func buffer(_ bitsPerSecond: Double) -> Int { Int(bitsPerSecond / 8 * roundTrip) + 16_384 }
    }

    public struct Counters: Sendable {
        public var connections = 0
        public var cuts = 0
        public var bytesUp = 0
        public var bytesDown = 0
    }

    public let port: UInt16
    public let profile: Profile
    public let counters = Mutex(Counters())
    private let target: UInt16
    private let listener: Int32
    private let live = Mutex<[Int32]>([])
    private let stopped = Atomic<Bool>(false)
    private let cutUntil = Mutex<Double>(0)
    /// Until when each direction of the link is busy: one uplink and one downlink,
    /// shared by every connection through it (a post has one terminal).
    private let linkBusyUntil = Mutex<(up: Double, down: Double)>((0, 0))

    /// Listens on 127.0.0.1:`port` (0: any free port) and connects each client to 127.0.0.1:`target`.
    public init(port: UInt16 = 0, to target: UInt16, profile: Profile) throws(LinkEmulatorError) {
        self.target = target
        self.profile = profile
        guard let (fd, bound) = LoopbackSocket.listen(port: port) else {
            throw LinkEmulatorError("cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        listener = fd
        self.port = bound
        Thread { [self] in acceptLoop() }.start()
        if let every = profile.cutEvery { Thread { [self] in cutLoop(every: every) }.start() }
    }

    /// Cuts every connection now; new ones are refused for `seconds`.
    public func cut(for seconds: Double) {
        cutUntil.withLock { $0 = max($0, LinkEmulator.now() + seconds) }
        let sockets = live.withLock { $0 }
        counters.withLock { $0.cuts += 1 }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in live.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit { if !stopped.load(ordering: .relaxed) { stop() } }

    static func now() -> Double { Date().timeIntervalSinceReferenceDate }

    private func cutLoop(every: Double) {
        while !stopped.load(ordering: .relaxed) {
            Thread.sleep(forTimeInterval: every)
            if stopped.load(ordering: .relaxed) { return }
            cut(for: profile.cutFor)
        }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            // During a cut the link is down: nothing gets through.
            if cutUntil.withLock({ $0 }) > LinkEmulator.now() {
                close(client)
                continue
            }
            guard let server = LoopbackSocket.connect(port: target) else {
                close(client)
                continue
            }
            var one: Int32 = 1
            for fd in [client, server] { setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
            counters.withLock { $0.connections += 1 }
            live.withLock { $0 += [client, server] }
            let pair = Pair(client: client, server: server)
            pump(from: client, to: server, bitsPerSecond: profile.upBitsPerSecond, up: true, pair)
            pump(from: server, to: client, bitsPerSecond: profile.downBitsPerSecond, up: false, pair)
        }
    }

    /// Both sockets of one connection; closed once both directions ended.
    private final class Pair: Sendable {
        let client: Int32
        let server: Int32
        let ended = Atomic<Int>(0)
        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
    }

    private struct Segment {
        let due: Double
        let bytes: [UInt8]
    }

    private struct Direction {
        var segments: [Segment] = []
        var queued = 0
        var busyUntil: Double = 0
        var finished = false
    }

    private func pump(from source: Int32, to sink: Int32, bitsPerSecond: Double, up: Bool, _ pair: Pair) {
        // The client's TCP handshake with this proxy is on loopback; on the real link it takes a
        // round trip before the first byte can leave: the link is busy that long first.
        let state = Mutex(Direction(busyUntil: up ? LinkEmulator.now() + profile.roundTrip : 0))
        let arrived = DispatchSemaphore(value: 0)
        let room = DispatchSemaphore(value: 0)
        let buffer = profile.buffer(bitsPerSecond)
        let halfRoundTrip = profile.roundTrip / 2
        Thread {
            var bytes = [UInt8](repeating: 0, count: 1448)
            while true {
                // A full modem takes nothing more: the sender's TCP waits, as on the real link.
                while state.withLock({ $0.queued >= buffer }) { room.wait() }
                let count = bytes.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                let now = LinkEmulator.now()
                let departure = self.linkBusyUntil.withLock { busy in
                    // This connection's first flight waits for its TCP handshake; every byte waits for the link.
                    let start = max(now, state.withLock { $0.busyUntil }, up ? busy.up : busy.down)
                    let done = start + Double(count) * 8 / bitsPerSecond
                    if up { busy.up = done } else { busy.down = done }
                    return done
                }
                state.withLock { direction in
                    direction.busyUntil = departure
                    direction.segments.append(Segment(due: departure + halfRoundTrip, bytes: Array(bytes[0..<count])))
                    direction.queued += count
                }
                arrived.signal()
            }
            state.withLock { $0.finished = true }
            arrived.signal()
        }.start()
        Thread { [self] in
            delivering: while true {
                arrived.wait()
                while let segment = state.withLock({ $0.segments.first }) {
                    let wait = segment.due - LinkEmulator.now()
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                    guard LoopbackSocket.writeAll(sink, segment.bytes) else { break delivering }
                    state.withLock { direction in
                        direction.segments.removeFirst()
                        direction.queued -= segment.bytes.count
                    }
                    counters.withLock { if up { $0.bytesUp += segment.bytes.count } else { $0.bytesDown += segment.bytes.count } }
                    room.signal()
                }
                if state.withLock({ $0.finished && $0.segments.isEmpty }) { break }
            }
            shutdown(pair.client, Int32(SHUT_RDWR))
            shutdown(pair.server, Int32(SHUT_RDWR))
            room.signal()
            if pair.ended.add(1, ordering: .relaxed).newValue == 2 {
                live.withLock { $0.removeAll { $0 == pair.client || $0 == pair.server } }
                close(pair.client)
                close(pair.server)
            }
        }.start()
    }
}

public struct LinkEmulatorError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
