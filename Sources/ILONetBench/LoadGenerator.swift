import Dispatch
import Foundation
import Glibc
import ILONet
import Synchronization

/// The workload the benchmark runs (`ilo bench load`).
public struct LoadOptions: Sendable {
    public enum Wire: String, Sendable { case ilonet, mqtt, nats }

    public var wire: Wire = .ilonet
    public var node: Endpoint
    public var serverName: String?
    public var caPath: String
    /// Publishers' certificate and key; subscribers' (subscriber i uses entry i modulo their number).
    public var publisher: (certificate: String, key: String)
    public var subscriberCredentials: [(certificate: String, key: String)]
    /// Where subscribers connect, when not to `node` (a relay test publishes to a
    /// post node and subscribes at the board hub).
    public var subscriberNode: Endpoint?
    public var subscriberServerName: String?
    public var publishers = 4
    public var subscribers = 1
    /// Reports per second over all publishers; nil: as fast as acknowledgements allow.
    public var rate: Double?
    /// Reports a publisher may have sent and not yet had acknowledged.
    public var window = 64
    public var payloadBytes = 1024
    /// ILONet: publishers sign each report with their key, as `ilo send` does
    /// (the node then checks every signature, as by default).
    public var signed = false
    public var warmup: Double = 1
    public var duration: Double = 10
    public var threads = 2
    /// Survive node restarts: reconnect, send unacknowledged reports again with
    /// the same ids, confirm deliveries, keep a `DeliveryLedger`, and at the end
    /// wait (up to `drainTimeout`) until every acknowledged report reached every
    /// subscriber. For crash loops, not for throughput figures.
    public var resilient = false
    public var drainTimeout: Double = 120

    public init(node: Endpoint, caPath: String, publisher: (String, String), subscribers: [(String, String)]) {
        self.node = node
        self.caPath = caPath
        self.publisher = publisher
        self.subscriberCredentials = subscribers
    }
}

/// What one run measured.
public struct LoadResult: Sendable {
    public var sent = 0
    public var acknowledged = 0
    public var delivered = 0
    public var errors = 0
    public var firstError: String?
    public var seconds = 0.0
    public var ack = LatencyHistogram()
    public var delivery = LatencyHistogram()
    public var reconnects = 0
    /// Resilient runs only.
    public var ledger: DeliveryLedger.Figures?

    public var throughput: Double { seconds > 0 ? Double(acknowledged) / seconds : 0 }
}

/// N publishers and M subscribers over mutually authenticated TLS, speaking
/// ILONet's protocol or MQTT 3.1.1 with the same client code and timing, so that
/// a node and a broker can be measured side by side. Publish times travel in the
/// payload (CLOCK_MONOTONIC, same machine), so delivery latency is measured at
/// the subscriber. Only acknowledgements inside the measured window count.
public final class LoadGenerator: Sendable {
    let options: LoadOptions
    private let loops: [EventLoop]
    private let state = Mutex(LoadResult())
    private let phase = Atomic<Int>(0)  // 0 warm-up, 1 measuring, 2 draining
    private let clients: Mutex<[LoopBound<LoadClient>]> = Mutex([])
    let ledger: DeliveryLedger?

    public init(options: LoadOptions) throws {
        self.options = options
        ledger = options.resilient ? DeliveryLedger(subscribers: options.subscriberCredentials.count) : nil
        var loops: [EventLoop] = []
        for index in 0..<options.threads {
            let loop = try EventLoop(name: "load-\(index)")
            loop.start()
            loops.append(loop)
        }
        self.loops = loops
    }

    var measuring: Bool { phase.load(ordering: .relaxed) == 1 }

    func record(_ body: (inout LoadResult) -> Void) { state.withLock { body(&$0) } }

    /// Connects everyone, warms up, measures for `duration` (or until `stop`
    /// answers true, checked every 100 ms), then stops.
    public func run(stop: () -> Bool = { false }) throws -> LoadResult {
        func context(_ credentials: (certificate: String, key: String)) throws -> TLSContext {
            try TLSContext(.makeClientConfiguration(certificate: credentials.certificate, privateKey: credentials.key, trustRoots: options.caPath))
        }
        let publisherTLS = try context(options.publisher)
        let subscriberTLS = try options.subscriberCredentials.map(context)
        var started: [LoopBound<LoadClient>] = []
        let ready = DispatchSemaphore(value: 0)
        func start(_ role: LoadClient.Role, index: Int, context: TLSContext) throws {
            let loop = loops[index % loops.count]
            let bound = try loop.runAndWait { [self] () -> Result<LoopBound<LoadClient>, Error> in
                do {
                    let client = try LoadClient(role: role, index: index, generator: self, loop: loop, context: context, ready: { ready.signal() })
                    return .success(LoopBound(client, loop: loop))
                } catch {
                    return .failure(error)
                }
            }.get()
            started.append(bound)
        }
        for i in 0..<options.subscribers { try start(.subscriber, index: i, context: subscriberTLS[i % subscriberTLS.count]) }
        for _ in 0..<options.subscribers { guard ready.wait(timeout: .now() + 30) == .success else { throw LoadError("subscribers did not connect") } }
        for i in 0..<options.publishers { try start(.publisher, index: i, context: publisherTLS) }
        for _ in 0..<options.publishers { guard ready.wait(timeout: .now() + 30) == .success else { throw LoadError("publishers did not connect") } }
        clients.withLock { $0 = started }
        for client in started { client.loop.execute { client.value.begin() } }

        Thread.sleep(forTimeInterval: options.warmup)
        phase.store(1, ordering: .relaxed)
        let begin = Timestamp.monotonicNanoseconds()
        let end = begin + UInt64(options.duration * 1e9)
        while Timestamp.monotonicNanoseconds() < end && !stop() {
            Thread.sleep(forTimeInterval: min(0.1, Double(end - min(end, Timestamp.monotonicNanoseconds())) / 1e9))
        }
        phase.store(2, ordering: .relaxed)
        let seconds = Double(Timestamp.monotonicNanoseconds() - begin) / 1e9
        for client in started { client.loop.runAndWait { client.value.stopPublishing() } }
        if let ledger {
            // Reconnecting clients send what is unacknowledged again; wait for the rest to arrive.
            let deadline = Timestamp.monotonicNanoseconds() + UInt64(options.drainTimeout * 1e9)
            while !ledger.settled && Timestamp.monotonicNanoseconds() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            Thread.sleep(forTimeInterval: 0.2)  // and for the last confirmations' answers
        } else {
            Thread.sleep(forTimeInterval: 0.5)  // let acknowledgements and deliveries of the window arrive
        }
        for client in started { client.loop.runAndWait { client.value.close() } }
        for loop in loops { loop.stop() }
        return state.withLock { result in
            result.seconds = seconds
            result.ledger = ledger?.figures
            return result
        }
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
