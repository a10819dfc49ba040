import Foundation
import Glibc
import ILONet

/// A real `ilod` process in its own temporary directory, listening on a port of
/// its own for the whole run (`TestPorts`), restarts included.
final class Daemon: @unchecked Sendable {  // used from one test at a time
    let directory: String
    let configPath: String
    let logPath: String
    private(set) var process: Process?
    let port: UInt16
    let pki: TestPKI
    /// The store, relative to `directory`.
    let storeFile: String
    /// Extra environment for ilod (e.g. ILONET_CLOCK_FILE).
    var environment: [String: String] = [:]

    /// - Parameter certificate: the node's certificate in the PKI; its node name is `CERTIFICATE.ilonet.example`.
    /// - Parameter signatures: `reports.signatures`. Most tests publish unsigned
    ///   reports through `ClientConnection`; `ilo send` signs, and signatures that
    ///   are present are checked either way.
    init(
        pki: TestPKI = TestEnvironment.pki, extraConfig: String = "", certificate: String = "hub", role: String = "board-hub",
        storeFile: String = "store.sqlite", signatures: String = "optional"
    ) throws {
        // Writing to a connection the node closed must be an error, not a signal.
        signal(SIGPIPE, SIG_IGN)
        self.pki = pki
        self.storeFile = storeFile
        directory = TestEnvironment.runDirectory + "/node-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/node.conf"
        port = TestPorts.one()
        logPath = directory + "/ilod.log"
        let config = """
            node.name        \(certificate).ilonet.example
            node.role        \(role)
            listen           127.0.0.1:\(port)
            store            \(storeFile)
            tls.certificate  \(pki.path("\(certificate).crt"))
            tls.key          \(pki.path("\(certificate).key"))
            tls.ca           \(pki.ca)
            tls.crl          \(pki.crl)
            threads          2
            log.level        debug
            reports.signatures \(signatures)
            \(extraConfig)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    var storePath: String { directory + "/" + storeFile }

    /// Starts ilod and waits until it is ready (or fails). A restart listens on
    /// the same port, so that peers find it again.
    func start(timeout: Double = 20, arguments extra: [String] = []) throws {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.ilod)
        process.arguments = ["--config", configPath] + extra
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(timeout)
        var offset = 0
        while Date() < deadline {
            let text = self.log
            let searched = text.index(text.startIndex, offsetBy: min(offset, text.count))..<text.endIndex
            // The ready line, in the text or the JSON log format.
            if text.range(of: "msg=\"node ready\"", range: searched) != nil || text.range(of: "\"msg\":\"node ready\"", range: searched) != nil {
                return
            }
            if !process.isRunning { throw DaemonError.exited(process.terminationStatus, self.log) }
            offset = max(0, text.count - 200)
            usleep(20_000)
        }
        throw DaemonError.notReady(self.log)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// kill -9: no chance to finish anything.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait for a clean exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process else { return -1 }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }

    /// One value from the node's store (first column of the first row), via the sqlite3 command.
    func query(_ sql: String) -> String {
        run("/usr/bin/sqlite3", [storePath, sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func count(_ sql: String) -> Int { Int(query(sql)) ?? -1 }

    /// Copies the stored reports that match `condition` `times` times under new
    /// ids (`ID-N`), each copy's document given by the SQL expression `document`
    /// over `r`; with the node stopped. Fills a store fast, for tests of size.
    func copyReports(times: Int, document: String = "r.document", where condition: String = "1", receivedEarlier: Bool = false) throws {
        let copied = run("/usr/bin/sqlite3", [storePath, """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(times))
            INSERT INTO reports (id, kind, country, priority, origin_officer, origin_authority, origin_state, created_ms, received_ms,
                                 document, headline, handling, data_class, topic, expires_ms, path, addressees)
            SELECT r.id || '-' || n.i, r.kind, r.country, r.priority, r.origin_officer, r.origin_authority, r.origin_state, r.created_ms,
                   r.received_ms\(receivedEarlier ? " - n.i" : ""), \(document), r.headline, r.handling, r.data_class, r.topic, r.expires_ms, r.path, r.addressees
            FROM reports r, n WHERE \(condition);
            """])
        guard copied.status == 0 else { throw DaemonError.exited(copied.status, copied.output) }
    }


    /// Connects once as each identity, so the node knows them (an officer's posts
    /// become implicit subscriptions), and subscribes them to `filter` if given.
    /// `digest`: a daily digest subscription (the steering board's, which subscribes to nothing else).
    func register(_ identities: String..., subscribing filter: String? = nil, digest: Bool = false) throws {
        for identity in identities {
            let connection = try client(identity)
            var request: [String: JSONValue] = ["filter": .string(filter ?? "#")]
            if digest { request["digest"] = ["period": "daily"] }
            if filter != nil { try connection.request(.subscribe, .object(request)) } else { try connection.request(.ping) }
        }
    }

    func client(_ identity: String, serverName: String? = nil) throws -> ClientConnection {
        try ClientConnection(pki.clientOptions(identity, port: port, serverName: serverName))
    }

    /// An environment whose ilo profile NAME (in a profiles file of its own) connects here as `identity`.
    func profileEnvironment(_ name: String, identity: String) throws -> [String: String] {
        let profiles = directory + "/profiles.conf"
        try """
            [\(name)]
            node    127.0.0.1:\(port)
            cert    \(pki.path("\(identity).crt"))
            key     \(pki.path("\(identity).key"))
            ca      \(pki.ca)
            """.write(toFile: profiles, atomically: true, encoding: .utf8)
        return ProcessInfo.processInfo.environment.merging(["ILO_PROFILES": profiles]) { $1 }
    }

    /// Arguments for the `ilo` command line connecting as `identity`.
    func iloArguments(_ identity: String) -> [String] {
        ["--node", "127.0.0.1:\(port)", "--cert", pki.path("\(identity).crt"), "--key", pki.path("\(identity).key"), "--ca", pki.ca]
    }

    deinit {
        if let process, process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

enum DaemonError: Error, CustomStringConvertible {
    case exited(Int32, String)
    case notReady(String)
    var description: String {
        switch self {
        case .exited(let status, let log): "ilod exited with \(status):\n\(log)"
        case .notReady(let log): "ilod did not become ready:\n\(log)"
        }
    }
}

/// A minimal valid report document (as `ilo send` builds it).
func sampleReport(kind: String = "smuggling", country: String = "LY", headline: String = "test", priority: String = "routine") -> JSONValue {
    [
        "id": .string(ReportID.generate().description), "kind": .string(kind), "country": .string(country),
        "priority": .string(priority), "created": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())),
        "headline": .string(headline), "body": sampleBodies[kind] ?? .null,
        "reliability": "B", "accuracy": 2, "level": "strategic",
    ]
}

/// A valid body of each kind.
let sampleBodies: [String: JSONValue] = [
    "smuggling": [
        "route": ["origin": ["NE"], "transit": ["LY"], "destination": ["IT"]],
        "modus_operandi": "Departures at night from beaches west of Zuwara.", "means_of_transport": ["truck", "rubber-boat"],
    ],
    "return": ["returnees": 12, "nationality": "NG", "travel_document_status": "third-country-travel-document", "readmission_cooperation": ["assessment": "partial"]],
    "border": [
        "location": ["crossing_point": "Ras Ajdir"], "situation_type": "large-group", "time": "2026-11-22T02:15:00Z", "impact": "high",
    ],
]

/// `sampleReport` with some envelope or body members replaced (`body.x` paths allowed one level deep).
func sampleReport(_ changes: [String: JSONValue], kind: String = "smuggling") -> JSONValue {
    guard case .object(var fields) = sampleReport(kind: kind), case .object(var body) = fields["body"] else { return .null }
    for (key, value) in changes {
        if key.hasPrefix("body.") { body[String(key.dropFirst(5))] = value } else { fields[key] = value }
    }
    fields["body"] = .object(body)
    return .object(fields)
}
