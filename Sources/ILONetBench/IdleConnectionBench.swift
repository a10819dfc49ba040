import Dispatch
import Glibc
import ILONet
import Synchronization

/// Opens many mutually authenticated connections to one node, completes HELLO on
/// each and keeps them idle: the "10,000 idle connections" measurement.
/// Runs its own event loops; the caller only waits for the summary.
public final class IdleConnectionBench: Sendable {
    public struct Result: Sendable {
        public var established = 0
        public var failed = 0
        public var firstFailure: String?
        public var seconds = 0.0
    }

    let options: ClientOptions
    let count: Int
    let concurrency: Int
    let loops: [EventLoop]
    private let state = Mutex(Result())
    private let finished = DispatchSemaphore(value: 0)
    private let holders: [LoopBound<Holder>]

    /// Confined to one loop: the connections it opened and keeps open.
    final class Holder: ConnectionDelegate {
        var connections: [ObjectIdentifier: Connection] = [:]
        /// Connections that completed HELLO; one closing later is not a failed open.
        var welcomed: Set<ObjectIdentifier> = []
        var onWelcome: (Connection) -> Void = { _ in }
        var onFailure: (String) -> Void = { _ in }

        func connectionDidBecomeReady(_ connection: Connection) {
            connection.send(Message(.hello, requestID: 1, ["protocol": "ilonet", "versions": [1]]))
        }
        func connection(_ connection: Connection, didReceive frame: Frame) {
            if frame.type == MessageType.welcome.rawValue {
                welcomed.insert(ObjectIdentifier(connection))
                onWelcome(connection)
            } else if frame.type == MessageType.error.rawValue {
                onFailure("node refused: " + String(decoding: frame.payload, as: UTF8.self))
            }
        }
        func connection(_ connection: Connection, didFailFraming error: FrameError) {
            connection.close(.localClose(error.description))
        }
        func connectionDidClose(_ connection: Connection, reason: CloseReason) {
            let id = ObjectIdentifier(connection)
            if connections.removeValue(forKey: id) != nil, welcomed.remove(id) == nil { onFailure(reason.description) }
        }
    }

    public init(options: ClientOptions, count: Int, concurrency: Int = 256, threads: Int = 2) throws {
        self.options = options
        self.count = count
        self.concurrency = concurrency
        var loops: [EventLoop] = []
        var holders: [LoopBound<Holder>] = []
        for index in 0..<threads {
            let loop = try EventLoop(name: "bench-\(index)")
            loop.start()
            loops.append(loop)
            holders.append(loop.runAndWait { LoopBound(Holder(), loop: loop) })
        }
        self.loops = loops
        self.holders = holders
    }

    /// Opens the connections (at most `concurrency` handshakes at a time) and
    /// returns once every one is established or failed.
    public func establish() throws -> Result {
        let context = try TLSContext(
            .makeClientConfiguration(certificate: options.certificatePath, privateKey: options.privateKeyPath, trustRoots: options.caPath))
        let started = Timestamp.monotonicNanoseconds()
        let perLoop = (count + loops.count - 1) / loops.count
        let window = max(1, concurrency / loops.count)
        for (index, bound) in holders.enumerated() {
            let quota = min(perLoop, count - index * perLoop)
            guard quota > 0 else { continue }
            bound.loop.execute { [self] in
                let holder = bound.value
                var opened = 0
                var pending = 0
                func openMore() {
                    while pending < window && opened < quota {
                        opened += 1
                        pending += 1
                        do {
                            let fd = try Socket.connect(to: options.node)
                            let connection = try Connection(
                                loop: bound.loop, fd: fd, peerAddress: options.node.description, context: context,
                                serverName: options.serverName ?? options.node.host, maximumFrameSize: 1 << 20, connecting: true)
                            connection.delegate = holder
                            holder.connections[ObjectIdentifier(connection)] = connection
                            try connection.start()
                        } catch {
                            pending -= 1
                            record(failure: "\(error)")
                        }
                    }
                }
                holder.onWelcome = { _ in
                    pending -= 1
                    self.record(success: true)
                    openMore()
                }
                holder.onFailure = { reason in
                    pending -= 1
                    self.record(failure: reason)
                    openMore()
                }
                openMore()
            }
        }
        finished.wait()
        return state.withLock { result in
            result.seconds = Double(Timestamp.monotonicNanoseconds() - started) / 1e9
            return result
        }
    }

    private func record(success: Bool) {
        let done = state.withLock { r -> Bool in
            r.established += 1
            return r.established + r.failed == count
        }
        if done { finished.signal() }
    }

    private func record(failure: String) {
        let done = state.withLock { r -> Bool in
            r.failed += 1
            if r.firstFailure == nil { r.firstFailure = failure }
            return r.established + r.failed == count
        }
        if done { finished.signal() }
    }

    /// Closes every connection and stops the loops.
    public func close() {
        for bound in holders {
            bound.loop.runAndWait {
                let holder = bound.value
                let connections = Array(holder.connections.values)
                holder.connections.removeAll()
                for connection in connections { connection.close(.localClose("bench finished")) }
            }
        }
        for loop in loops { loop.stop() }
    }
}

/// Memory figures of a process, from /proc/PID/status.
public struct ProcessMemory: Sendable {
    public let residentKiB: Int
    public let peakResidentKiB: Int

    public init?(pid: Int32) {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var rss = -1, hwm = -1
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard fields.count >= 2 else { continue }
            if fields[0] == "VmRSS:" { rss = Int(fields[1]) ?? -1 }
            if fields[0] == "VmHWM:" { hwm = Int(fields[1]) ?? -1 }
        }
        guard rss >= 0 else { return nil }
        residentKiB = rss
        peakResidentKiB = hwm
    }
}

/// CPU time a process has used (user + system), from /proc/PID/stat.
public struct ProcessCPU: Sendable {
    public let seconds: Double

    public init?(pid: Int32) {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard fgets(&buffer, 4096, file) != nil else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Fields after the command name, which is in parentheses and may hold spaces.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        seconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
