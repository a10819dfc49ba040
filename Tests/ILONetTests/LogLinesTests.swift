import Synchronization
import Testing
@testable import ILONet

/// An event loop's debug and info lines leave in one write at the end of its
/// iteration; warnings and errors at once, after them (`LogLines`).
@Suite struct LogLinesTests {
    /// A sink that keeps each call it gets (one call = one write).
    final class Writes: Sendable {
        private let calls = Mutex<[String]>([])
        var sink: @Sendable (String) -> Void { { text in self.calls.withLock { $0.append(text) } } }
        var all: [String] { calls.withLock { $0 } }
        /// The lines written so far, each without its timestamp.
        var lines: [String] { all.flatMap { $0.split(separator: "\n").map { String($0.drop { $0 != " " }.dropFirst()) } } }
    }

    @Test func aLoopWritesAnIterationsInfoLinesTogetherAndAWarningAtOnceAfterThem() throws {
        let writes = Writes()
        let logger = Logger(level: .info, sink: writes.sink)
        let loop = try EventLoop(name: "log-lines-test")
        loop.start()
        defer { loop.stop() }

        let waiting = loop.runAndWait { () -> Int in
            logger.info("report stored", ["report": "one"])
            logger.info("report stored", ["report": "two"])
            logger.debug("below the level")
            return writes.all.count
        }
        #expect(waiting == 0, "info lines wait for the end of the iteration")
        // A task runs in a later iteration than the one before it: that one has ended.
        #expect(loop.runAndWait { writes.all.count } == 1)
        #expect(writes.lines == [#"level=info msg="report stored" report=one"#, #"level=info msg="report stored" report=two"#])

        let atTheWarning = loop.runAndWait { () -> [String] in
            logger.info("before")
            logger.warning("the warning")
            return writes.lines
        }
        #expect(atTheWarning.suffix(2) == ["level=info msg=before", #"level=warn msg="the warning""#], "a warning leaves at once, after the line before it")
        #expect(writes.all.count == 3)

        logger.info("off the loop")
        #expect(writes.all.count == 4, "a thread that is no event loop writes each line at once")
        #expect(writes.lines.last == #"level=info msg="off the loop""#)
    }

    @Test func aLoopWritesBeforeItsLinesPassTheLimitAndLosesNone() throws {
        let writes = Writes()
        let logger = Logger(level: .info, sink: writes.sink)
        let loop = try EventLoop(name: "log-lines-limit")
        loop.start()
        defer { loop.stop() }
        let count = 2 * LogLines.limit / 80
        let duringTheIteration = loop.runAndWait { () -> Int in
            for index in 0..<count { logger.info("line", ["n": String(index), "padding": String(repeating: "x", count: 40)]) }
            return writes.all.count
        }
        #expect(duringTheIteration >= 1, "past \(LogLines.limit) bytes the lines leave without waiting for the iteration's end")
        _ = loop.runAndWait { 0 }
        #expect(writes.all.allSatisfy { $0.utf8.count <= LogLines.limit + 200 })
        #expect(writes.lines.map { $0.split(separator: " ")[2] } == (0..<count).map { "n=\($0)" })
    }
}
