import Glibc
import Foundation
internal import CILOShims

/// Where and as whom a client connects.
public struct ClientOptions: Sendable {
    public var node: Endpoint
    /// The name the node's certificate must carry; defaults to the host of `node`.
    public var serverName: String?
    public var certificatePath: String
    public var privateKeyPath: String
    public var caPath: String
    public var timeout: Double = 30
    /// Check this client's own certificate dates before connecting (off only in
    /// tests that prove the node refuses an expired certificate itself).
    public var checkOwnCertificate = true
    /// The socket's receive buffer (SO_RCVBUF), when set: the abuse benchmark's
    /// reader that takes nothing holds the node's answers with a small one.
    public var receiveBufferBytes: Int?
    /// The local address to connect from (tests and benchmarks: another loopback address for another host).
    public var sourceAddress: String?
    /// Where TLS session tickets are kept between runs (nil: none kept, every
    /// connection a full handshake): one file per node, server name and
    /// certificate (`sessionFile`; docs/CLI.md, "Files ilo keeps").
    public var sessionDirectory: String?

    /// The file holding the ticket for this node, server name and certificate (its
    /// bytes: a renewed certificate never resumes the old one's session).
    public var sessionFile: String? {
        guard let sessionDirectory, let certificate = FileManager.default.contents(atPath: certificatePath) else { return nil }
        let key = sha256(Array("\(node)|\(serverName ?? node.host)|".utf8) + sha256([UInt8](certificate))).hexString.prefix(16)
        return "\(sessionDirectory)/session-\(key).der"
    }

    public init(node: Endpoint, certificatePath: String, privateKeyPath: String, caPath: String, serverName: String? = nil) {
        self.node = node
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.caPath = caPath
        self.serverName = serverName
    }
}

/// A blocking, one-request-at-a-time protocol client, as `ilo` uses it.
/// Not shared between threads. The process should ignore SIGPIPE (ilo and ilod
/// do), so that writing to a connection the node closed is an error, not a kill.
public final class ClientConnection {
    private let fd: Int32
    private let tls: TLSSession
    private var decoder: FrameDecoder
    private var nextRequestID: UInt32 = 1
    private var received: [Frame] = []
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Seconds a read or write may block (SO_RCVTIMEO/SO_SNDTIMEO); a call that
    /// returns earlier without data was interrupted by a signal and is retried.
    private let timeout: Double

    /// The node's identity from its certificate, and what it said in WELCOME.
    public let nodeIdentity: PeerIdentity
    public private(set) var welcome: Message

    /// Answers that came while another was awaited (a pipelined request's), by request id.
    private var stash: [UInt32: Message] = [:]
    /// Requests sent with `sendRequest` whose answers are not yet taken.
    private var outstanding: Set<UInt32> = []
    /// The request sent right after HELLO, without waiting for WELCOME (`pipelining`).
    private var pipelinedID: UInt32?

    /// Connects, handshakes and says HELLO. `pipelining`: a request sent right
    /// after HELLO, in the same flight, without waiting for WELCOME (docs/PROTOCOL.md §5);
    /// its answer is `pipelinedAnswer()`. On a link with a long round trip this
    /// saves one: a fresh `ilo send` costs TCP, TLS and one exchange.
    public init(_ options: ClientOptions, pipelining first: (type: MessageType, body: JSONValue)? = nil) throws(ClientError) {
        // Say so before connecting: the node would only send an alert.
        if options.checkOwnCertificate, let validity = PeerIdentity.validity(certificateFile: options.certificatePath) {
            let now = Timestamp.nowMilliseconds()
            let day = { (t: Int64) in String(Timestamp.format(milliseconds: t).prefix(10)) }
            if now > validity.notAfter {
                throw .ownCertificate(
                    "your certificate \(options.certificatePath) expired on \(day(validity.notAfter)); ask your deploying authority for a new one. Nothing was sent")
            }
            if now < validity.notBefore {
                throw .ownCertificate(
                    "your certificate \(options.certificatePath) is valid only from \(day(validity.notBefore)); check this computer's clock. Nothing was sent")
            }
        }
        let context: TLSContext
        do throws(OpenSSLError) {
            context = try TLSContext(
                .makeClientConfiguration(certificate: options.certificatePath, privateKey: options.privateKeyPath, trustRoots: options.caPath))
        } catch {
            throw .tls(error)
        }
        let fd: Int32
        do throws(SystemError) {
            fd = try Socket.connect(to: options.node, from: options.sourceAddress)
        } catch {
            throw .connect(options.node, error)
        }
        if var bytes = options.receiveBufferBytes.map(Int32.init) {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        // Until every property is set, a failure here must close the socket itself;
        // after that, deinit does (Swift runs deinit when a fully initialized init throws).
        let tls: TLSSession
        let identity: PeerIdentity
        do throws(ClientError) {
            (tls, identity) = try ClientConnection.handshake(fd, context: context, options: options)
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
        self.timeout = options.timeout
        self.tls = tls
        self.nodeIdentity = identity
        self.decoder = FrameDecoder(maximumFrameSize: 64 << 20)
        self.welcome = Message(.welcome)
        let hello = nextRequestID
        nextRequestID &+= 1
        var flight = Message(.hello, requestID: hello, ["protocol": "ilonet", "versions": [1], "agent": .string("ilo/\(ILONetVersion.current)")]).frame.encoded()
        if let first {
            pipelinedID = nextRequestID
            flight += Message(first.type, requestID: nextRequestID, first.body).frame.encoded()
            nextRequestID &+= 1
        }
        try sendRaw(flight)
        welcome = try answer(to: hello)
        guard welcome.type == .welcome else { throw ClientError.malformed("expected WELCOME, got \(welcome.type)") }
        if let file = options.sessionFile { ClientConnection.keep(tls.resumableSession, in: file) }
    }

    /// Keeps the node's newest ticket for the next connection (mode 0600, replaced
    /// atomically); without one, the old file goes (a ticket is used once).
    private static func keep(_ session: [UInt8]?, in file: String) {
        guard let session else {
            unlink(file)
            return
        }
        let directory = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = file + ".new"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = session.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        Glibc.close(fd)
        if written == session.count { rename(temporary, file) } else { unlink(temporary) }
    }

    /// The answer to the request sent with HELLO (nil: none was); an ERROR answer throws `.refused`.
    public func pipelinedAnswer() throws(ClientError) -> Message? {
        guard let id = pipelinedID else { return nil }
        pipelinedID = nil
        return try answer(to: id)
    }

    deinit {
        tls.shutdown()
        Glibc.close(fd)
    }

    private static func handshake(_ fd: Int32, context: TLSContext, options: ClientOptions) throws(ClientError) -> (TLSSession, PeerIdentity) {
        try waitUntilConnected(fd, endpoint: options.node, timeout: options.timeout)
        // Blocking from here on, with timeouts on every read and write.
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var timeout = timeval(tv_sec: Int(options.timeout), tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let tls: TLSSession
        do throws(OpenSSLError) {
            tls = try TLSSession(context: context, fd: fd, serverName: options.serverName ?? options.node.host)
        } catch {
            throw .tls(error)
        }
        // The ticket of an earlier connection: one round trip's bytes fewer (no certificates);
        // a ticket the node no longer takes costs nothing but a full handshake.
        if let file = options.sessionFile, let der = FileManager.default.contents(atPath: file) { tls.offer(session: [UInt8](der)) }
        let deadline = Timestamp.monotonicNanoseconds() + UInt64(min(max(options.timeout, 0), 86_400) * 1e9)
        handshaking: while true {
            switch tls.handshake() {
            case .done: break handshaking
            case .failed(let error): throw .tls(error)
            case .closed: throw .tls(OpenSSLError("TLS handshake", stack: ["the node closed the connection (is this client's certificate accepted?)"]))
            case .wantRead, .wantWrite:
                // A signal (EINTR) returns early from the blocking read or write; the timeout does not.
                if Timestamp.monotonicNanoseconds() < deadline { continue }
                throw .timedOut("during the TLS handshake")
            }
        }
        do throws(IdentityError) { return (tls, try tls.peerIdentity()) } catch { throw .identity(error) }
    }

    private static func waitUntilConnected(_ fd: Int32, endpoint: Endpoint, timeout: Double) throws(ClientError) {
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var rc: Int32
        repeat { rc = poll(&poller, 1, Int32(min(max(timeout, 0), 86_400) * 1000)) } while rc < 0 && errno == EINTR
        if rc == 0 { throw .timedOut("connecting to \(endpoint)") }
        let error = Socket.pendingError(fd)
        if rc < 0 || error != 0 { throw .connect(endpoint, SystemError("connect", errno: rc < 0 ? errno : error)) }
    }

    /// Sends one request and waits for its answer; an ERROR answer throws `.refused`.
    @discardableResult
    public func request(_ type: MessageType, _ body: JSONValue = .object([:]), data: [UInt8] = []) throws(ClientError) -> Message {
        try answer(to: try sendRequest(type, body, data: data))
    }

    /// Sends one request without waiting (a window of CHUNKs); its answer is
    /// `answer(to:)` of the id returned, kept while other answers are awaited.
    public func sendRequest(_ type: MessageType, _ body: JSONValue = .object([:]), data: [UInt8] = []) throws(ClientError) -> UInt32 {
        let id = nextRequestID
        nextRequestID &+= 1
        outstanding.insert(id)
        try send(Message(type, requestID: id, body, data: data).frame)
        return id
    }

    /// Waits for the answer to request `id`, keeping the answers to other requests still awaited.
    public func answer(to id: UInt32) throws(ClientError) -> Message {
        outstanding.remove(id)
        if let kept = stash.removeValue(forKey: id) {
            if kept.type == .error { throw .refused(ProtocolError(message: kept)) }
            return kept
        }
        return try receiveAnswer(to: id)
    }

    private func receiveAnswer(to id: UInt32) throws(ClientError) -> Message {
        if let kept = stash.removeValue(forKey: id) {
            if kept.type == .error { throw .refused(ProtocolError(message: kept)) }
            return kept
        }
        while true {
            let frame = try receiveFrame()
            let message: Message
            do throws(ProtocolError) { message = try Message(frame: frame) } catch { throw .malformed(error.description) }
            if message.type == .ping {
                try send(Message(.pong, requestID: message.requestID).frame)
                continue
            }
            if message.requestID != id, message.requestID == pipelinedID || outstanding.contains(message.requestID) {
                stash[message.requestID] = message
                continue
            }
            if message.type == .error {
                let error = ProtocolError(message: message)
                if message.requestID == id || error.code.closesConnection { throw .refused(error) }
                continue
            }
            if message.requestID == id { return message }
        }
    }

    /// Writes raw bytes, for tests that speak to the node below the protocol.
    public func sendRaw(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        let deadline = Timestamp.monotonicNanoseconds() + UInt64(min(max(timeout, 0), 86_400) * 1e9)
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in tls.write(UnsafeRawBufferPointer(rebasing: raw[offset...])) }
            switch result {
            case .done(let n): offset += n
            case .closed: throw .connectionClosed
            case .failed(let e): throw .tls(e)
            case .wantRead, .wantWrite:
                if Timestamp.monotonicNanoseconds() < deadline { continue }  // interrupted by a signal
                throw .timedOut("sending")
            }
        }
    }

    public func send(_ frame: Frame) throws(ClientError) { try sendRaw(frame.encoded()) }

    /// The next frame from the node (blocking).
    public func receiveFrame() throws(ClientError) -> Frame {
        let deadline = Timestamp.monotonicNanoseconds() + UInt64(min(max(timeout, 0), 86_400) * 1e9)
        while received.isEmpty {
            let result = buffer.withUnsafeMutableBytes { tls.read(into: $0) }
            switch result {
            case .done(let n):
                do throws(FrameError) {
                    received += try decoder.feed(buffer[0..<n])
                } catch {
                    throw .malformed(error.description)
                }
            case .closed: throw .connectionClosed
            case .failed(let e): throw .tls(e)
            case .wantRead, .wantWrite:
                // EINTR (a signal, e.g. a profiler's or libFuzzer's timer) looks the same as the timeout.
                if Timestamp.monotonicNanoseconds() < deadline { continue }
                throw .timedOut("waiting for the node's answer")
            }
        }
        return received.removeFirst()
    }

    public func close() {
        _ = try? send(Message(.bye, requestID: 0).frame)
    }
}

@available(*, unavailable)
extension ClientConnection: Sendable {}
