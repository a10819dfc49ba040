import Glibc
internal import CILOShims

/// Socket system calls, non-blocking and close-on-exec by default.
public enum Socket {
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A listening TCP socket. With `reusePort`, several loops may each listen on
    /// the same address and the kernel spreads new connections among them.
    /// - Parameter deferAccept: seconds the kernel keeps a connection that has
    ///   sent nothing before handing it to `accept` (TCP_DEFER_ACCEPT): a client
    ///   that speaks first — TLS, HTTP — arrives with its first bytes, and a
    ///   socket that never speaks takes no slot of the node's until then.
    static func listen(on endpoint: Endpoint, reusePort: Bool, backlog: Int32 = 4096, deferAccept: Int32 = 0) throws(SystemError) -> Int32 {
        guard let address = try endpoint.resolve().first else { throw SystemError("resolve \(endpoint)", errno: EADDRNOTAVAIL) }
        let fd = try syscall("socket") { socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if reusePort { setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
        if deferAccept > 0 { setOption(fd, Int32(IPPROTO_TCP), TCP_DEFER_ACCEPT, deferAccept) }
        do throws(SystemError) {
            _ = try syscall("bind \(endpoint)") { address.withSockaddr { bind(fd, $0, $1) } }
            _ = try syscall("listen") { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Fails with EADDRINUSE when another process listens on `endpoint`. The
    /// node's own sockets set SO_REUSEPORT, which lets a second process of the
    /// same user bind the same address and take part of its connections
    /// instead of failing; this probe, without it, is refused by any listener.
    static func checkNoOtherListener(on endpoint: Endpoint) throws(SystemError) {
        guard endpoint.port != 0, let address = try endpoint.resolve().first else { return }
        let fd = try syscall("socket") { socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { close(fd) }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)  // a closed connection's TIME_WAIT is no listener
        _ = try syscall("bind \(endpoint)") { address.withSockaddr { bind(fd, $0, $1) } }
    }

    /// The port a socket is bound to (useful when listening on port 0).
    static func localPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: storage) { raw in
            let family = Int32(raw.load(as: sa_family_t.self))
            let offset = family == AF_INET6 ? MemoryLayout<sockaddr_in6>.offset(of: \.sin6_port)! : MemoryLayout<sockaddr_in>.offset(of: \.sin_port)!
            return UInt16(bigEndian: raw.load(fromByteOffset: offset, as: UInt16.self))
        }
    }

    enum AcceptResult {
        case accepted(fd: Int32, peer: String)
        case wouldBlock
        /// Out of file descriptors (EMFILE/ENFILE) or memory: stop accepting for a moment.
        case exhausted(SystemError)
        case failed(SystemError)
    }

    static func accept(_ listener: Int32) -> AcceptResult {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let fd = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    ilo_accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd >= 0 {
                setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                let peer = withUnsafePointer(to: &storage) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: length)?.text ?? "?" }
                }
                return .accepted(fd: fd, peer: peer)
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN: return .wouldBlock
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted(SystemError("accept4"))
            default: return .failed(SystemError("accept4"))
            }
        }
    }

    /// Starts a non-blocking connect; the socket becomes writable when it is done.
    /// - Parameter source: a local address to connect from (another loopback
    ///   address standing for another host, in tests and benchmarks).
    public static func connect(to endpoint: Endpoint, from source: String? = nil) throws(SystemError) -> Int32 {
        let addresses = try endpoint.resolve()
        let local = try source.map { (host: String) throws(SystemError) -> [SocketAddress] in try Endpoint(host: host, port: 0).resolve() }
        var lastError = SystemError("connect \(endpoint)", errno: EHOSTUNREACH)
        for address in addresses {
            let fd = try syscall("socket") { socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
            setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            if let from = local?.first(where: { $0.family == address.family }), from.withSockaddr({ bind(fd, $0, $1) }) != 0 {
                lastError = SystemError("bind \(source ?? "")")
                close(fd)
                continue
            }
            let rc = address.withSockaddr { Glibc.connect(fd, $0, $1) }
            if rc == 0 || errno == EINPROGRESS { return fd }
            lastError = SystemError("connect \(endpoint)")
            close(fd)
        }
        throw lastError
    }

    /// The pending error of a socket whose non-blocking connect finished.
    static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }
}
