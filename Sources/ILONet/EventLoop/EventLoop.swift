import Foundation
import Glibc
internal import CILOShims
import Synchronization

/// Something registered with an event loop that is told when its fd is ready.
/// Handlers are confined to their loop's thread.
public protocol IOHandler: AnyObject {
    func handle(_ events: IOEvents)
}

/// One thread running a level-triggered epoll loop, its timers and the tasks
/// other threads hand it.
///
/// Thread confinement: registrations, timers and everything a handler owns are
/// touched only on the loop's thread (checked by `assertInLoop` in debug
/// builds). The only entry points for other threads are `execute` and `stop`,
/// which go through a mutex-protected task list and an eventfd wake-up; that is
/// why the class is `@unchecked Sendable`.
public final class EventLoop: @unchecked Sendable {
    public let name: String
    private let selector: Selector
    private let wakeFD: Int32
    private let incoming = Mutex<(tasks: [@Sendable () -> Void], stopped: Bool)>(([], false))
    private let threadID = Atomic<Int32>(0)
    private let done = DispatchSemaphore(value: 0)

    // Loop-confined state.
    private var handlers: [Int32: (registration: UInt32, handler: IOHandler)] = [:]
    private var nextRegistration: UInt32 = 1
    private var timers = TimerHeap()
    private var running = true
    private var pendingFlushes: [Connection] = []
    /// This loop's log lines, written at the end of each iteration.
    private let logLines = LogLines()

    /// One read buffer per loop, shared by every connection on it: an idle
    /// connection holds no buffer of its own.
    let readBuffer: UnsafeMutableRawBufferPointer

    public init(name: String) throws(SystemError) {
        self.name = name
        selector = try Selector()
        wakeFD = try syscall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        try selector.add(fd: wakeFD, registration: 0, read: true, write: false)
    }

    deinit {
        close(wakeFD)
        readBuffer.deallocate()
    }

    /// Starts the loop on a thread of its own.
    public func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    public var inLoop: Bool { threadID.load(ordering: .relaxed) == ilo_gettid() }

    @inline(__always)
    public func assertInLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(inLoop, "used off its event loop \(name)", file: file, line: line)
    }

    /// Runs `task` on the loop's thread soon. Safe from any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        // Only the first task after the loop drained the list needs to wake it;
        // later ones are taken in the same drain (one eventfd write per batch).
        let wake = incoming.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.tasks.append(task)
            return state.tasks.count == 1
        }
        guard wake else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Runs `body` on the loop and waits for its result. Never call it from the
    /// loop itself (it would wait for itself); meant for start-up and shutdown.
    public func runAndWait<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        precondition(!inLoop, "runAndWait called on its own loop \(name)")
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<T?>(nil)
        execute {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    /// Asks the loop to finish and waits until its thread returned.
    public func stop() {
        execute { [self] in running = false }
        incoming.withLock { $0.stopped = true }
        done.wait()
    }

    // MARK: Registration (loop thread only)

    public func register(fd: Int32, handler: IOHandler, read: Bool = true, write: Bool = false) throws(SystemError) {
        assertInLoop()
        let registration = nextRegistration
        nextRegistration = nextRegistration == UInt32.max ? 1 : nextRegistration + 1
        try selector.add(fd: fd, registration: registration, read: read, write: write)
        handlers[fd] = (registration, handler)
    }

    public func setInterest(fd: Int32, read: Bool, write: Bool) {
        assertInLoop()
        guard let entry = handlers[fd] else { return }
        try? selector.modify(fd: fd, registration: entry.registration, read: read, write: write)
    }

    /// Removes the fd from the loop. The caller closes it afterwards.
    public func deregister(fd: Int32) {
        assertInLoop()
        guard handlers.removeValue(forKey: fd) != nil else { return }
        selector.remove(fd: fd)
    }

    /// Flushes `connection` once, after this iteration's events and tasks ran.
    func deferFlush(_ connection: Connection) {
        pendingFlushes.append(connection)
    }

    // MARK: Timers (loop thread only)

    /// Runs `task` on this loop after `delay` seconds; returns a handle to cancel it.
    @discardableResult
    public func schedule(after delay: Double, _ task: @escaping () -> Void) -> TimerHandle {
        assertInLoop()
        let handle = TimerHandle()
        let deadline = Timestamp.monotonicNanoseconds() + UInt64(max(0, delay) * 1e9)
        timers.push(deadline: deadline, handle: handle, task: task)
        return handle
    }

    // MARK: The loop

    private func run() {
        threadID.store(ilo_gettid(), ordering: .relaxed)
        logLines.install()
        while running {
            let timeout = timers.millisecondsUntilNext(now: Timestamp.monotonicNanoseconds())
            do {
                try selector.wait(timeoutMilliseconds: timeout) { fd, registration, events in
                    if fd == wakeFD {
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                        return
                    }
                    // A stale event for a closed (and maybe reused) fd is dropped.
                    guard let entry = handlers[fd], entry.registration == registration else { return }
                    entry.handler.handle(events)
                }
            } catch {
                logLines.flush()
                fatalError("event loop \(name): \(error)")
            }
            // Taken out first: a task may schedule new timers while it runs.
            for task in timers.popDue(now: Timestamp.monotonicNanoseconds()) { task() }
            let tasks = incoming.withLock { state -> [@Sendable () -> Void] in
                defer { state.tasks.removeAll(keepingCapacity: true) }
                return state.tasks
            }
            for task in tasks { task() }
            while !pendingFlushes.isEmpty {
                let connections = pendingFlushes
                pendingFlushes.removeAll(keepingCapacity: true)
                for connection in connections { connection.flush() }
            }
            logLines.flush()
        }
        logLines.uninstall()
        handlers.removeAll()
        done.signal()
    }
}

/// Handle for a scheduled task; `cancel()` on the loop's thread stops it running.
public final class TimerHandle {
    public private(set) var isCancelled = false
    public func cancel() { isCancelled = true }
}

/// A binary min-heap of deadlines.
struct TimerHeap {
    private struct Entry {
        let deadline: UInt64
        let sequence: UInt64
        let handle: TimerHandle
        let task: () -> Void
        func before(_ other: Entry) -> Bool { (deadline, sequence) < (other.deadline, other.sequence) }
    }
    private var entries: [Entry] = []
    private var sequence: UInt64 = 0

    mutating func push(deadline: UInt64, handle: TimerHandle, task: @escaping () -> Void) {
        sequence += 1
        entries.append(Entry(deadline: deadline, sequence: sequence, handle: handle, task: task))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].before(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popFirst() -> Entry {
        let first = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < entries.count, entries[left].before(entries[smallest]) { smallest = left }
                if right < entries.count, entries[right].before(entries[smallest]) { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }

    func millisecondsUntilNext(now: UInt64) -> Int32 {
        guard let first = entries.first else { return -1 }
        if first.deadline <= now { return 0 }
        return Int32(min(60_000, (first.deadline - now + 999_999) / 1_000_000))
    }

    mutating func popDue(now: UInt64) -> [() -> Void] {
        var due: [() -> Void] = []
        while let first = entries.first, first.deadline <= now {
            let entry = popFirst()
            if !entry.handle.isCancelled { due.append(entry.task) }
        }
        return due
    }
}

/// A value that belongs to one event loop, carried through a `@Sendable` closure
/// that will run on that loop (for example a store completion hopping back).
/// Reading it anywhere else is a programming error, caught in debug builds.
public struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    private let storage: Value
    public let loop: EventLoop

    public init(_ value: Value, loop: EventLoop) {
        loop.assertInLoop()
        self.storage = value
        self.loop = loop
    }

    public var value: Value {
        loop.assertInLoop()
        return storage
    }
}
