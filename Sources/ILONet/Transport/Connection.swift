import Glibc

/// What a connection tells its owner. Called on the connection's loop.
public protocol ConnectionDelegate: AnyObject {
    /// The TLS handshake finished and `connection.identity` is the verified peer.
    func connectionDidBecomeReady(_ connection: Connection)
    func connection(_ connection: Connection, didReceive frame: Frame)
    /// The byte stream broke the framing rules; the connection cannot continue.
    func connection(_ connection: Connection, didFailFraming error: FrameError)
    func connectionDidClose(_ connection: Connection, reason: CloseReason)
    /// In raw mode: decrypted bytes as they arrive (another protocol's framing).
    func connection(_ connection: Connection, didReceiveBytes bytes: UnsafeRawBufferPointer)
}

extension ConnectionDelegate {
    public func connection(_ connection: Connection, didReceiveBytes bytes: UnsafeRawBufferPointer) {}
}

/// One TLS connection on an event loop: this is where bytes meet the socket.
///
/// Non-blocking throughout: the handshake, reads and writes resume when epoll says
/// the socket is ready. Reads go through the loop's shared buffer into the frame
/// decoder; writes are appended to `output` and flushed once per loop iteration,
/// so many answers produced together leave in few TLS records. Confined to its loop.
public final class Connection: IOHandler {
    public enum State: Equatable { case connecting, handshaking, open, closed }

    public let loop: EventLoop
    public let fd: Int32
    public let peerAddress: String
    let tls: TLSSession
    public weak var delegate: ConnectionDelegate?

    public private(set) var state: State
    public private(set) var identity: PeerIdentity?
    /// The TLS context the connection was made with: a resumed session's certificate is checked again against it.
    private let context: TLSContext
    private let serverName: String?
    public let openedAt = Timestamp.monotonicNanoseconds()
    public private(set) var lastActivity = Timestamp.monotonicNanoseconds()
    /// When bytes last left for the peer (into the kernel's socket buffer).
    public private(set) var lastWriteProgress = Timestamp.monotonicNanoseconds()
    /// Deliver decrypted bytes to the delegate instead of ILONet frames (the load
    /// generator speaks MQTT over the same transport).
    public var rawMode = false

    private var decoder: FrameDecoder
    /// Frames read but not yet handed to the delegate because reading was paused
    /// meanwhile (in-flight limit, unsent answers): at most one read's worth.
    private var undelivered: [Frame] = []
    private var undeliveredOffset = 0
    /// When the first byte of a frame not yet complete arrived (monotonic ns).
    private var partialFrameSince: UInt64?
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var flushScheduled = false
    private var readPaused = false
    private var readWantsWritable = false
    private var writeWantsReadable = false
    private var closeWhenFlushed: CloseReason?
    /// What the loop watches this socket for now: a change is one `epoll_ctl`,
    /// and every flush used to make one even when nothing changed (issue 32).
    private var interest = (read: false, write: false)

    /// Above this many unsent bytes the connection stops reading requests until
    /// the peer has taken its answers.
    public static let outputHighWater = 1 << 20

    /// Wraps an accepted socket (`serverName == nil`) or one being connected.
    public init(
        loop: EventLoop, fd: Int32, peerAddress: String, context: TLSContext, serverName: String? = nil,
        maximumFrameSize: Int, connecting: Bool = false
    ) throws(OpenSSLError) {
        self.loop = loop
        self.fd = fd
        self.peerAddress = peerAddress
        self.tls = try TLSSession(context: context, fd: fd, serverName: serverName)
        tls.readAhead()  // `readAvailable` reads until wantRead; a resume reads first
        self.context = context
        self.serverName = serverName
        self.decoder = FrameDecoder(maximumFrameSize: maximumFrameSize)
        self.state = connecting ? .connecting : .handshaking
    }

    /// Registers with the loop and starts (or waits to start) the handshake.
    public func start() throws(SystemError) {
        loop.assertInLoop()
        interest = (read: state == .handshaking, write: state == .connecting)
        try loop.register(fd: fd, handler: self, read: interest.read, write: interest.write)
        if state == .handshaking { progressHandshake() }
    }

    public var isOpen: Bool { state == .open }
    public var pendingOutputBytes: Int { output.count - outputOffset }
    /// The most bytes ever waiting to be sent at once (memory the connection held).
    public private(set) var peakOutputBytes = 0

    // MARK: Events

    public func handle(_ events: IOEvents) {
        switch state {
        case .connecting:
            let error = Socket.pendingError(fd)
            if error != 0 {
                close(.connectFailed(SystemError("connect", errno: error)))
                return
            }
            state = .handshaking
            progressHandshake()
        case .handshaking:
            progressHandshake()
        case .open:
            if events.readable || events.hangup || (readWantsWritable && events.writable) {
                readAvailable()
            }
            if state == .open, events.writable || (writeWantsReadable && events.readable) {
                flush()
            }
        case .closed:
            break
        }
    }

    private func progressHandshake() {
        switch tls.handshake() {
        case .done:
            do throws(IdentityError) {
                // A resumed session skipped the chain check: its certificate is checked again,
                // against the trust roots and revocation list in force (docs/PROTOCOL.md §1).
                if tls.isResumed, serverName == nil, let problem = tls.reverifyPeer(against: context) {
                    throw IdentityError(reason: "the certificate of the resumed session no longer verifies: \(problem)")
                }
                identity = try tls.peerIdentity()
            } catch {
                close(.identityRefused(error))
                return
            }
            state = .open
            lastActivity = Timestamp.monotonicNanoseconds()
            updateInterest()
            delegate?.connectionDidBecomeReady(self)
            if state == .open { readAvailable() }
        case .wantRead:
            watch(read: true, write: false)
        case .wantWrite:
            watch(read: true, write: true)
        case .closed:
            close(.handshakeFailed(OpenSSLError("TLS handshake", stack: ["peer closed the connection during the handshake"])))
        case .failed(let error):
            close(.handshakeFailed(error))
        }
    }

    /// Hands queued frames to the delegate while reading is not paused; false
    /// when some are still waiting (or the connection closed).
    private func deliverUndelivered() -> Bool {
        while undeliveredOffset < undelivered.count {
            guard state == .open, !readPaused else { return false }
            let frame = undelivered[undeliveredOffset]
            undeliveredOffset += 1
            delegate?.connection(self, didReceive: frame)
        }
        undelivered.removeAll(keepingCapacity: true)
        undeliveredOffset = 0
        return state == .open
    }

    private func readAvailable() {
        readWantsWritable = false
        guard deliverUndelivered() else { return }
        while state == .open && !readPaused {
            let result = tls.read(into: loop.readBuffer)
            switch result {
            case .done(let count):
                lastActivity = Timestamp.monotonicNanoseconds()
                if rawMode {
                    delegate?.connection(self, didReceiveBytes: UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
                    continue
                }
                let frames: [Frame]
                do throws(FrameError) {
                    frames = try decoder.feed(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
                } catch {
                    readPaused = true
                    updateInterest()
                    delegate?.connection(self, didFailFraming: error)
                    return
                }
                if decoder.bufferedByteCount == 0 {
                    partialFrameSince = nil
                } else if partialFrameSince == nil || !frames.isEmpty {
                    partialFrameSince = lastActivity
                }
                // One at a time: a request may pause reading (in-flight limit,
                // a large answer), and then the rest wait for it.
                undelivered = frames
                undeliveredOffset = 0
                guard deliverUndelivered() else { return }
            case .wantRead:
                return
            case .wantWrite:
                readWantsWritable = true
                updateInterest()
                return
            case .closed, .failed:
                closeAfterFailed(result)
                return
            }
        }
    }

    // MARK: Writing

    /// Queues a frame; it leaves at the end of this loop iteration.
    public func send(_ frame: Frame) {
        loop.assertInLoop()
        guard state == .open, closeWhenFlushed == nil else { return }
        frame.appendEncoded(to: &output)
        peakOutputBytes = max(peakOutputBytes, output.count)
        if pendingOutputBytes > Connection.outputHighWater && !readPaused {
            readPaused = true
            updateInterest()
        }
        if !flushScheduled {
            flushScheduled = true
            loop.deferFlush(self)
        }
    }

    public func send(_ message: Message) { send(message.frame) }

    /// Queues bytes as they are (raw mode).
    public func sendRaw(_ bytes: [UInt8]) {
        loop.assertInLoop()
        guard state == .open, closeWhenFlushed == nil else { return }
        output.append(contentsOf: bytes)
        if !flushScheduled {
            flushScheduled = true
            loop.deferFlush(self)
        }
    }

    /// Sends what is queued, then closes with `reason`.
    public func closeAfterFlush(_ reason: CloseReason) {
        guard state == .open else {
            close(reason)
            return
        }
        closeWhenFlushed = reason
        readPaused = true
        flush()
    }

    func flush() {
        flushScheduled = false
        writeWantsReadable = false
        while state == .open && outputOffset < output.count {
            let result = output.withUnsafeBytes { raw in
                tls.write(UnsafeRawBufferPointer(rebasing: raw[outputOffset..<min(output.count, outputOffset + 256 * 1024)]))
            }
            switch result {
            case .done(let count):
                outputOffset += count
                lastWriteProgress = Timestamp.monotonicNanoseconds()
            case .wantWrite:
                updateInterest()
                return
            case .wantRead:
                writeWantsReadable = true
                updateInterest()
                return
            case .closed, .failed:
                closeAfterFailed(result)
                return
            }
        }
        guard state == .open else { return }
        output.removeAll(keepingCapacity: false)
        outputOffset = 0
        if let reason = closeWhenFlushed {
            close(reason)
            return
        }
        if readPaused && !pausedByOwner {
            readPaused = false
            if partialFrameSince != nil { partialFrameSince = Timestamp.monotonicNanoseconds() }
            updateInterest()
            readAvailable()
        } else {
            updateInterest()
        }
    }

    // MARK: Flow control by the owner

    private var pausedByOwner = false

    /// Stops reading requests (e.g. too many waiting for the store); TCP then
    /// pushes back on the peer. Nothing is dropped.
    public func pauseReading() {
        pausedByOwner = true
        readPaused = true
        updateInterest()
    }

    /// How long the frame being received has been arriving, in seconds; nil when
    /// no frame is half-read, or while this side paused reading (not the peer's fault).
    public func partialFrameAge(now: UInt64) -> Double? {
        guard let since = partialFrameSince, !readPaused else { return nil }
        return Double(now &- since) / 1e9
    }

    public func resumeReading() {
        guard pausedByOwner else { return }
        pausedByOwner = false
        if partialFrameSince != nil { partialFrameSince = Timestamp.monotonicNanoseconds() }
        guard state == .open, closeWhenFlushed == nil, pendingOutputBytes <= Connection.outputHighWater else { return }
        readPaused = false
        updateInterest()
        readAvailable()  // OpenSSL may already hold decrypted bytes epoll cannot see
    }

    private func updateInterest() {
        guard state == .open else { return }
        let wantWrite = outputOffset < output.count || readWantsWritable
        let wantRead = !readPaused || writeWantsReadable
        watch(read: wantRead, write: wantWrite)
    }

    private func watch(read: Bool, write: Bool) {
        guard interest != (read, write) else { return }
        interest = (read, write)
        loop.setInterest(fd: fd, read: read, write: write)
    }

    // MARK: Closing

    /// Closes after a read or write that found the session ended or broken.
    private func closeAfterFailed(_ result: TLSIOResult) {
        if case .failed(let error) = result { close(.tlsError(error)) } else { close(.peerClosed) }
    }

    public func close(_ reason: CloseReason) {
        guard state != .closed else { return }
        let wasOpen = state == .open
        state = .closed
        if wasOpen { tls.shutdown() }
        loop.deregister(fd: fd)
        Connection.discardUnread(fd)
        Glibc.close(fd)
        output = []
        delegate?.connectionDidClose(self, reason: reason)
    }

    /// Closing a socket with unread bytes makes the kernel answer with a reset,
    /// and a reset makes the peer's kernel throw away what it has not read yet:
    /// our last words (a TLS alert "certificate revoked", an ERROR frame). Reading
    /// what already arrived (at most 64 KiB, without waiting) first lets the
    /// close be an orderly FIN.
    private static func discardUnread(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        for _ in 0..<4 where recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT)) > 0 {}
    }

    /// Whether the peer has sent anything at all: a byte TLS read, or one
    /// waiting in the socket. A socket that has sent nothing is the first to
    /// go when handshake slots are full (`LoopContext`).
    public var hasSpoken: Bool {
        if tls.bytesReceived > 0 || state == .open { return true }
        guard state != .closed else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    public var tlsVersion: String { tls.protocolVersion }
    /// The handshake resumed a session from a ticket (docs/PROTOCOL.md §1).
    public var tlsResumed: Bool { tls.isResumed }
    public var tlsCipher: String { tls.cipher }
}

@available(*, unavailable)
extension Connection: Sendable {}
