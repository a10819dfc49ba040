import Dispatch
import Foundation
import Glibc
import Synchronization

/// The workload the benchmark runs (`ilo bench load`).
public struct LoadOptions: Sendable {
    public enum Wire: String, Sendable { case ilonet, mqtt }

    public var wire: Wire = .ilonet
    public var node: Endpoint
    public var serverName: String?
    public var caPath: String
    /// Publishers' and subscribers' certificates and keys.
    public var publisher: (certificate: String, key: String)
    public var subscriber: (certificate: String, key: String)
    public var publishers = 4
    public var subscribers = 1
    /// Reports per second over all publishers; nil: as fast as acknowledgements allow.
    public var rate: Double?
    /// Reports a publisher may have sent and not yet had acknowledged.
    public var window = 64
    public var payloadBytes = 1024
    public var warmup: Double = 1
    public var duration: Double = 10
    public var threads = 2

    public init(node: Endpoint, caPath: String, publisher: (String, String), subscriber: (String, String)) {
        self.node = node
        self.caPath = caPath
        self.publisher = publisher
        self.subscriber = subscriber
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

    public init(options: LoadOptions) throws {
        self.options = options
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

    /// Connects everyone, warms up, measures for `duration`, then stops.
    public func run() throws -> LoadResult {
        let publisherTLS = try TLSContext(
            .makeClientConfiguration(certificate: options.publisher.certificate, privateKey: options.publisher.key, trustRoots: options.caPath))
        let subscriberTLS = try TLSContext(
            .makeClientConfiguration(certificate: options.subscriber.certificate, privateKey: options.subscriber.key, trustRoots: options.caPath))
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
        for i in 0..<options.subscribers { try start(.subscriber, index: i, context: subscriberTLS) }
        for _ in 0..<options.subscribers { guard ready.wait(timeout: .now() + 30) == .success else { throw LoadError("subscribers did not connect") } }
        for i in 0..<options.publishers { try start(.publisher, index: i, context: publisherTLS) }
        for _ in 0..<options.publishers { guard ready.wait(timeout: .now() + 30) == .success else { throw LoadError("publishers did not connect") } }
        clients.withLock { $0 = started }
        for client in started { client.loop.execute { client.value.begin() } }

        Thread.sleep(forTimeInterval: options.warmup)
        phase.store(1, ordering: .relaxed)
        let begin = Timestamp.monotonicNanoseconds()
        Thread.sleep(forTimeInterval: options.duration)
        phase.store(2, ordering: .relaxed)
        let seconds = Double(Timestamp.monotonicNanoseconds() - begin) / 1e9
        for client in started { client.loop.runAndWait { client.value.stopPublishing() } }
        Thread.sleep(forTimeInterval: 0.5)  // let acknowledgements and deliveries of the window arrive
        for client in started { client.loop.runAndWait { client.value.close() } }
        for loop in loops { loop.stop() }
        return state.withLock { result in
            result.seconds = seconds
            return result
        }
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
