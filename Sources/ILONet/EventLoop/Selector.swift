import Glibc
internal import CILOShims

/// Readiness for one registered file descriptor, as epoll reported it.
public struct IOEvents: Sendable, Equatable {
    public var readable: Bool
    public var writable: Bool
    /// The peer hung up or the socket has an error; reading will say which.
    public var hangup: Bool
}

/// A thin owner of one epoll instance (level-triggered).
///
/// Each registration carries an id packed next to the fd in `epoll_data.u64`, so
/// an event still queued for an fd that was closed and reused by a new connection
/// is recognised and dropped (the NIOPosix `SelectorEpoll` technique).
final class Selector {
    let epollFD: Int32
    private var events: UnsafeMutablePointer<epoll_event>
    private let capacity = 512

    init() throws(SystemError) {
        epollFD = try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        close(epollFD)
    }

    static func mask(read: Bool, write: Bool) -> UInt32 {
        var mask = EPOLLRDHUP.rawValue
        if read { mask |= EPOLLIN.rawValue }
        if write { mask |= EPOLLOUT.rawValue }
        return mask
    }

    func add(fd: Int32, registration: UInt32, read: Bool, write: Bool) throws(SystemError) {
        var event = epoll_event()
        event.events = Selector.mask(read: read, write: write)
        event.data.u64 = UInt64(registration) << 32 | UInt64(UInt32(bitPattern: fd))
        _ = try syscall("epoll_ctl(ADD)") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) }
    }

    func modify(fd: Int32, registration: UInt32, read: Bool, write: Bool) throws(SystemError) {
        var event = epoll_event()
        event.events = Selector.mask(read: read, write: write)
        event.data.u64 = UInt64(registration) << 32 | UInt64(UInt32(bitPattern: fd))
        _ = try syscall("epoll_ctl(MOD)") { epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) }
    }

    func remove(fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, &event)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and calls `body` for each
    /// ready registration with its fd, registration id and events.
    func wait(timeoutMilliseconds: Int32, _ body: (Int32, UInt32, IOEvents) -> Void) throws(SystemError) {
        let count = epoll_wait(epollFD, events, Int32(capacity), timeoutMilliseconds)
        if count < 0 {
            if errno == EINTR { return }
            throw SystemError("epoll_wait")
        }
        for i in 0..<Int(count) {
            let event = events[i]
            let data = event.data.u64
            let flags = event.events
            let io = IOEvents(
                readable: flags & EPOLLIN.rawValue != 0,
                writable: flags & EPOLLOUT.rawValue != 0,
                hangup: flags & (EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue) != 0)
            body(Int32(bitPattern: UInt32(truncatingIfNeeded: data)), UInt32(truncatingIfNeeded: data >> 32), io)
        }
    }
}

@available(*, unavailable)
extension Selector: Sendable {}
