import Foundation
import FuzzDriver
import ILONet

/// Whole request sequences through a real node (issue 14): a node runs in this
/// process on loopback with a store in a temporary directory and the example
/// PKI; each input is a sequence of requests an officer sends over TLS, of any
/// message type with any payload, pipelined. After each input the node must
/// still answer a PING on the same connection — or, if it closed that one
/// (which it may, for a protocol violation), on a new one. A trap, a sanitizer
/// report, or a node that stops answering is a finding.
///
/// Input: repeated [type selector][length high][length low][payload…]; the
/// selector picks one of the protocol's message types (HELLO is sent once by
/// the connection itself).
final class Session {
    nonisolated(unsafe) static let shared = Session()

    let node: Node
    let options: ClientOptions
    /// The node's log; its end is printed with a finding.
    var logFile: LogFile?
    let logPath: String
    var client: ClientConnection?

    private init() {
        signal(SIGPIPE, SIG_IGN)  // as ilod and ilo do: a write to a closed socket is an error, not a kill
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let certificates = repository + "/certs-example"
        // One directory per fuzzing process; those of ended processes are removed
        // (a long run's store grows to a gigabyte).
        let temporary = NSTemporaryDirectory()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where entry.hasPrefix("ilonet-fuzz-session-") {
            guard let pid = pid_t(entry.dropFirst("ilonet-fuzz-session-".count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: temporary + entry) }
        }
        let directory = temporary + "ilonet-fuzz-session-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = """
            node.name        hub.ilonet.example
            node.role        board-hub
            listen           127.0.0.1:0
            store            \(directory)/store.sqlite
            tls.certificate  \(certificates)/hub.crt
            tls.key          \(certificates)/hub.key
            tls.ca           \(certificates)/ca.crt
            tls.crl          \(certificates)/ca.crl
            threads          2
            reports.signatures optional
            limits.read-budget 2s
            """
        logPath = directory + "/ilod.log"
        let path = directory + "/node.conf"
        _ = FileManager.default.createFile(atPath: path, contents: Data(config.utf8))
        do {
            let configuration = try NodeConfiguration.load(path)
            let log = try LogFile(path: directory + "/ilod.log")
            node = try Node(configuration: configuration, logger: Logger(level: .debug, sink: log.sink))
            logFile = log
        } catch {
            fatalError("cannot start the node under test: \(error)")
        }
        var options = ClientOptions(
            node: node.boundEndpoints[0], certificatePath: certificates + "/officer-de.crt", privateKeyPath: certificates + "/officer-de.key",
            caPath: certificates + "/ca.crt", serverName: "hub.ilonet.example")
        options.timeout = 15
        self.options = options
    }

    func logTail() -> String {
        // The last 64 KiB only: the log of a long run is large.
        var text = ""
        if let handle = FileHandle(forReadingAtPath: logPath) {
            let size = (try? handle.seekToEnd()) ?? 0
            try? handle.seek(toOffset: size > 65_536 ? size - 65_536 : 0)
            text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
            try? handle.close()
        }
        return "the node's log, last lines:\n" + text.split(separator: "\n").filter { !$0.contains("invalid JSON") }.suffix(40).joined(separator: "\n")
    }

    func connection() -> ClientConnection {
        if let client { return client }
        do {
            let fresh = try ClientConnection(options)
            client = fresh
            return fresh
        } catch {
            FileHandle.standardError.write(Data("FuzzSession: the node no longer accepts a connection: \(error)\n".utf8))
            fatalError("the node no longer accepts a connection: \(error)\n\(logTail())")
        }
    }

    /// The node still answers: on this connection, or on a new one if it closed it.
    func checkAlive(requestID: UInt32) {
        let client = connection()
        do {
            try client.send(Frame(type: MessageType.ping.rawValue, requestID: requestID, payload: Array("{}".utf8)))
            while true {
                let frame = try client.receiveFrame()
                if frame.type == MessageType.pong.rawValue && frame.requestID == requestID { return }
            }
        } catch ClientError.timedOut(let what) {
            // Tell a stuck connection from a stuck node: does a new connection get an answer?
            let others = (try? ClientConnection(options)).flatMap { try? $0.request(.ping) } != nil
            fatalError(
                "the node stopped answering this connection (timed out \(what)); a new connection \(others ? "is" : "is NOT") answered\n\(logTail())")
        } catch {
            // Closed by the node (a refusal that closes): a new connection must work.
            self.client = nil
            do {
                _ = try connection().request(.ping)
            } catch {
                FileHandle.standardError.write(Data("FuzzSession: a new connection failed: \(error)\n".utf8))
                fatalError("the node closed a connection and then stopped answering: \(error)\n\(logTail())")
            }
        }
    }
}

let selectable = MessageType.allCases.filter { $0 != .hello }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSession(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let session = Session.shared
    var frames: [UInt8] = []
    var index = 0
    var requestID: UInt32 = 1
    while index + 3 <= bytes.count {
        let type = selectable[Int(bytes[index]) % selectable.count]
        let length = min(Int(bytes[index + 1]) << 8 | Int(bytes[index + 2]), bytes.count - index - 3)
        let payload = Array(bytes[(index + 3)..<(index + 3 + length)])
        frames += Frame(type: type.rawValue, requestID: requestID, payload: payload).encoded()
        requestID += 1
        index += 3 + length
    }
    if !frames.isEmpty {
        do { try session.connection().sendRaw(frames) } catch { session.client = nil }
    }
    session.checkAlive(requestID: 0xFFFF_0000)
    return 0
}

@_cdecl("FuzzSession_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    ilonet_fuzz_main(argc, argv)
}
