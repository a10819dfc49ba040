import Foundation

/// What a node is on the network (docs/DESIGN brief). One binary, four roles.
/// The platform hub is the network's routing root, operated by the Commission
/// (Regulation (EU) 2019/1240 Art. 9); `board-hub`, its former name, is still read.
public enum NodeRole: String, Sendable, CaseIterable {
    case post, regionalHub = "regional-hub", platformHub = "platform-hub", authority

    /// A role by its name in `node.role`, the former `board-hub` included.
    public init?(configured name: String) {
        if name == "board-hub" { self = .platformHub } else { self.init(rawValue: name) }
    }
}

/// Another node this one exchanges reports with (docs/ROUTING.md §1).
public struct Peer: Sendable, Equatable {
    /// The peer's node name: its certificate's CN, which its DNS names must include.
    public let name: String
    /// Where to connect; nil when the peer connects to us (a post behind a satellite link).
    public let endpoint: Endpoint?

    public init(name: String, endpoint: Endpoint?) {
        self.name = name
        self.endpoint = endpoint
    }
}

/// A node's configuration, read from a file such as `config/hub.conf`.
/// Every key is documented in that example file.
public struct NodeConfiguration: Sendable {
    public var name: String
    public var role: NodeRole
    public var listen: [Endpoint]
    public var storePath: String
    public var tls: TLSConfiguration
    public var maximumFrameSize: Int = 1 << 20
    public var maximumConnections: Int = 20_000
    /// Connections one identity (certificate CN) may hold at once.
    public var maximumConnectionsPerIdentity: Int = 64
    /// Connections still in their TLS handshake, overall (default: a quarter of
    /// `maximumConnections`) and per source address.
    public var maximumHandshaking: Int?
    public var maximumHandshakingPerAddress: Int = 256
    /// How long one frame may take to arrive once its first byte came.
    public var frameTimeout: Double = 120
    /// Subscriptions one identity may hold at this node.
    public var maximumSubscriptionsPerIdentity: Int = 1000
    /// How long one long read (preview, listing, status) may run on a reader.
    public var readBudget: Double = 10

    /// The cap on connections in their handshake actually in force.
    public var handshakingLimit: Int { min(maximumHandshaking ?? max(1, maximumConnections / 4), maximumConnections) }
    /// The largest report (its PUBLISH or FORWARD payload) the node takes.
    public var maximumReportSize: Int = 256 << 10
    /// Reports per second one identity may publish (token bucket); 0: no limit.
    public var publishRate: Double = 0
    /// Reports one identity may publish in a burst above the rate.
    public var publishBurst: Int = 0
    public var handshakeTimeout: Double = 10
    /// Seconds the kernel keeps a connection that has sent nothing before the
    /// node sees it (TCP_DEFER_ACCEPT); nil: `handshakeTimeout`, 0: off.
    public var deferAccept: Double?
    public var helloTimeout: Double = 10
    public var idleTimeout: Double = 600
    /// Requests of one connection waiting for the store before it stops reading.
    public var maximumInFlightPerConnection: Int = 1024
    /// Bytes of answers one connection may have on their way — the room kept
    /// for answers being computed (a frame for a listing) plus those not yet
    /// sent — before it stops reading requests; and the same for all of one
    /// identity's connections together (docs/RELIABILITY.md §4).
    public var maximumAnswerBytesPerConnection: Int = 4 << 20
    public var maximumAnswerBytesPerIdentity: Int = 16 << 20
    public var threads: Int = 0  // 0: one per core
    /// `PRAGMA quick_check` on the store at start; off only with `ilod --skip-store-check`.
    public var checkStoreAtStart = true
    public var logLevel: LogLevel = .info
    public var logFormat: LogFormat = .logfmt
    /// Log to this file instead of stderr; SIGHUP reopens it (log rotation).
    public var logFile: String?
    /// Where the Prometheus metrics are served (off unless set; keep it on loopback).
    public var metricsListen: Endpoint?
    /// HOST:PORT where people's `ilo` reaches this node, announced to the network
    /// so that a node can send an identity to its home node (docs/ROUTING.md §8);
    /// nil: the first `listen` address, unless it is a wildcard.
    public var address: Endpoint?
    /// Where the web view is served (HTTPS with a client certificate, docs/WEB.md; off unless set).
    public var webListen: Endpoint?
    /// The controller of the personal data this node processes (GDPR Art. 4(7),
    /// Directive (EU) 2016/680 Art. 3(8)) and how to reach its data-protection
    /// contact: in the record of processing, WELCOME and the node's receipts.
    public var controller: String?
    public var controllerContact: String?
    /// The data-protection law the controller applies (`node.controller-law`); nil: not stated.
    public var controllerLaw: DataProtectionLaw?
    /// Defaults the node fills into reports that leave fields out.
    public var reportDefaults = ReportDefaults()
    public var peers: [Peer] = []
    /// The routing table file; nil: reports stay here (a terminal node).
    public var routesPath: String?
    /// The access rules file; nil: the built-in rules (docs/ACCESS.md).
    public var accessPath: String?
    /// A watching subscriber at its in-flight cap that acknowledges nothing for
    /// this long is disconnected (its reports stay queued for it).
    public var subscriberStall: Double = 60
    /// Bytes of reports sent to one watching subscriber and not yet confirmed.
    public var subscriberWindowBytes = 1 << 20
    /// Reports waiting for one next hop before new ones are refused.
    public var maximumQueuedPerHop = 1_000_000
    /// Reports sent to a peer and not yet acknowledged.
    public var linkWindow = 8
    /// A peer link waiting this long for any answer, with nothing arriving and
    /// nothing leaving, is closed and dialled again (a blackholed path).
    public var linkAnswerTimeout: Double = 60
    /// Refuse reports without an author's signature (`reports.signatures
    /// required`, the default); signatures that are present are always checked.
    public var requireSignatures = true
    /// Send a signed receipt (a notice, event `delivered`) back to the author of
    /// every report that reaches this node as its destination over at least one hop.
    public var sendReceipts = false
    public var backoffInitial: Double = 1
    public var backoffMaximum: Double = 60
    /// How long a report is kept after it arrived once no next hop and no reader
    /// waits for it; nil: kept until erased otherwise (reports with personal data: erase-by).
    public var deliveredRetention: Double?
    /// How often queues are checked for expired reports (and the store for erasures).
    public var expirySweepInterval: Double = 30
    /// Started as root: the user (and group) to switch to once the listening
    /// sockets are bound and the key is read. nil: stay as started.
    public var user: String?
    public var group: String?
    /// The line each key was set on, so later checks can point at it.
    public var lines: [String: Int] = [:]
    /// The file this configuration was read from, and its values then (a reload
    /// names the settings changed since, which take effect only at a restart).
    public var sourcePath: String?
    public var startupValues: [String: [String]] = [:]
    /// Keys a reload re-reads the files of; their values (the paths) still need a restart.
    static let reloadedFromFiles: Set<String> = []

    static let knownKeys = [
        "node.name", "node.role", "node.address", "listen", "store", "tls.certificate", "tls.key", "tls.ca", "tls.min-version",
        "limits.max-frame-bytes", "limits.max-connections", "limits.handshake-timeout", "limits.hello-timeout",
        "limits.idle-timeout", "limits.max-inflight-per-connection", "threads", "log.level", "log.format", "log.file", "metrics.listen", "web.listen",
        "reports.lifetime.smuggling", "reports.lifetime.return", "reports.lifetime.border", "reports.default-handling", "reports.signatures", "reports.receipts",
        "peer", "routes", "queue.max-per-hop", "link.window", "link.answer-timeout", "link.backoff-initial", "link.backoff-max", "queue.expiry-sweep",
        "access", "limits.subscriber-window-bytes", "limits.subscriber-stall", "tls.crl", "tls.crl-unavailable", "tls.session-lifetime", "user", "group",
        "limits.max-connections-per-identity", "limits.max-report-bytes", "limits.max-attachment-bytes", "limits.publish-rate", "limits.publish-burst",
        "retention.delivered", "limits.max-handshaking", "limits.max-handshaking-per-address", "limits.frame-timeout",
        "limits.max-subscriptions-per-identity", "limits.read-budget", "limits.max-answer-bytes-per-connection",
        "limits.max-answer-bytes-per-identity", "limits.defer-accept",
        "reports.max-lifetime.smuggling", "reports.max-lifetime.return", "reports.max-lifetime.border",
        "reports.personal.max-retention.return-identification", "reports.personal.max-retention.return-passenger-list",
        "reports.personal.max-retention.smuggling-trafficking", "node.controller", "node.controller-contact", "node.controller-law",
    ]
    static let repeatableKeys: Set<String> = ["listen", "peer"]

    public init(name: String, role: NodeRole, listen: [Endpoint], storePath: String, tls: TLSConfiguration) {
        self.name = name
        self.role = role
        self.listen = listen
        self.storePath = storePath
        self.tls = tls
    }

    /// Reads and checks a configuration file. All problems are reported together.
    public static func load(_ path: String) throws(ConfigErrors) -> NodeConfiguration {
        try interpret(ConfigFile.load(path), path: path)
    }

    /// Checks configuration text as if read from `path` (relative paths in it are
    /// relative to `path`'s folder). The configuration fuzzer's entry point.
    public static func parse(_ text: String, path: String) throws(ConfigErrors) -> NodeConfiguration {
        try interpret(ConfigFile.parse(text, path: path), path: path)
    }

    private static func interpret(_ file: ConfigFile, path: String) throws(ConfigErrors) -> NodeConfiguration {
        var errors: [ConfigError] = file.syntaxErrors
        var seen: [String: Int] = [:]
        var values: [String: ConfigFile.Entry] = [:]
        var listen: [Endpoint] = []
        var peers: [Peer] = []

        func fail(_ entry: ConfigFile.Entry, _ message: String) {
            errors.append(ConfigError(file: path, line: entry.line, message))
        }

        for entry in file.entries {
            if entry.section != nil {
                fail(entry, "sections are not used in a node configuration")
                continue
            }
            guard knownKeys.contains(entry.key) else {
                let hint = ConfigFile.suggestion(for: entry.key, among: knownKeys).map { "; did you mean \"\($0)\"?" } ?? ""
                fail(entry, "unknown key \"\(entry.key)\"\(hint)")
                continue
            }
            if let first = seen[entry.key], !repeatableKeys.contains(entry.key) {
                fail(entry, "\"\(entry.key)\" is already set on line \(first)")
                continue
            }
            seen[entry.key] = entry.line
            values[entry.key] = entry
            if entry.key == "listen" {
                if let endpoint = Endpoint(entry.value) { listen.append(endpoint) } else { fail(entry, "\"\(entry.value)\" is not HOST:PORT") }
            }
            if entry.key == "peer" {
                let words = entry.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                if words.count > 2 {
                    fail(entry, "peer takes a node name and optionally HOST:PORT")
                } else if peers.contains(where: { $0.name == words[0] }) {
                    fail(entry, "peer \"\(words[0])\" is listed twice")
                } else if words.count == 2 {
                    if let endpoint = Endpoint(words[1]), endpoint.port > 0 { peers.append(Peer(name: words[0], endpoint: endpoint)) } else {
                        fail(entry, "\"\(words[1])\" is not HOST:PORT")
                    }
                } else {
                    peers.append(Peer(name: words[0], endpoint: nil))
                }
            }
        }

        func required(_ key: String) -> ConfigFile.Entry? {
            if let entry = values[key] { return entry }
            errors.append(ConfigError(file: path, line: 0, "required key \"\(key)\" is missing"))
            return nil
        }
        func existingFile(_ key: String) -> String? {
            guard let entry = required(key) else { return nil }
            let resolved = file.resolve(entry.value)
            if !FileManager.default.isReadableFile(atPath: resolved) { fail(entry, "cannot read \(resolved)") }
            return resolved
        }
        func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
            guard let entry = values[key] else { return nil }
            guard let n = Int(entry.value.replacingOccurrences(of: "_", with: "")), range.contains(n) else {
                fail(entry, "\"\(key)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return n
        }
        func duration(_ key: String) -> Double? {
            guard let entry = values[key] else { return nil }
            guard let seconds = ConfigFile.parseDuration(entry.value), seconds > 0 else {
                fail(entry, "\"\(key)\" must be a duration such as 500ms, 10s, 5m or 2h (at most 36500d)")
                return nil
            }
            return seconds
        }

        let name = required("node.name")?.value ?? ""
        var role = NodeRole.platformHub
        if let entry = required("node.role") {
            if let r = NodeRole(configured: entry.value) { role = r } else {
                fail(entry, "unknown role \"\(entry.value)\" (expected \(NodeRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        if values["listen"] == nil && errors.allSatisfy({ !$0.message.contains("listen") }) {
            errors.append(ConfigError(file: path, line: 0, "required key \"listen\" is missing"))
        }
        var storePath = ""
        if let entry = required("store") {
            storePath = file.resolve(entry.value)
            let directory = (storePath as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if !directory.isEmpty, FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
                fail(entry, "\(directory) is not a directory")
            }
        }
        let certificate = existingFile("tls.certificate") ?? ""
        let key = existingFile("tls.key") ?? ""
        let ca = existingFile("tls.ca") ?? ""
        var tls = TLSConfiguration.makeServerConfiguration(certificate: certificate, privateKey: key, trustRoots: ca)
        if let entry = values["tls.min-version"] {
            if let version = TLSConfiguration.MinimumVersion(rawValue: entry.value) { tls.minimumVersion = version } else {
                fail(entry, "\"tls.min-version\" must be 1.3 (default) or 1.2")
            }
        }
        if let entry = values["tls.crl-unavailable"] {
            if let policy = TLSConfiguration.RevocationPolicy(rawValue: entry.value) { tls.revocationUnavailable = policy } else {
                fail(entry, "\"tls.crl-unavailable\" must be refuse (default) or accept")
            }
        }
        if let entry = values["tls.session-lifetime"] {
            if entry.value == "off" {
                tls.sessionLifetime = 0
            } else if let seconds = duration("tls.session-lifetime") {
                if seconds > 7 * 86400 { fail(entry, "\"tls.session-lifetime\" is at most 7d (TLS 1.3 tickets live at most a week, RFC 8446 §4.6.1)") }
                tls.sessionLifetime = Int(seconds)
            }
        }
        if let entry = values["tls.crl"] {
            let resolved = file.resolve(entry.value)
            tls.revocationListPath = resolved
            // With `accept`, a missing list is allowed (and logged at start-up).
            if tls.revocationUnavailable == .refuse && !FileManager.default.isReadableFile(atPath: resolved) {
                fail(entry, "cannot read \(resolved) (set tls.crl-unavailable accept to start without it)")
            }
        }
        var configuration = NodeConfiguration(name: name, role: role, listen: listen, storePath: storePath, tls: tls)
        configuration.lines = seen
        if let n = integer("limits.max-frame-bytes", in: 1024...(64 << 20)) { configuration.maximumFrameSize = n }
        if let n = integer("limits.max-connections", in: 1...1_000_000) { configuration.maximumConnections = n }
        if let n = integer("limits.max-inflight-per-connection", in: 1...100_000) { configuration.maximumInFlightPerConnection = n }
        if let n = integer("limits.max-connections-per-identity", in: 1...1_000_000) { configuration.maximumConnectionsPerIdentity = n }
        configuration.maximumAnswerBytesPerConnection = max(configuration.maximumAnswerBytesPerConnection, 2 * configuration.maximumFrameSize)
        if let n = integer("limits.max-answer-bytes-per-connection", in: 65_536...(1 << 30)) {
            if n < configuration.maximumFrameSize, let entry = values["limits.max-answer-bytes-per-connection"] {
                fail(entry, "\"limits.max-answer-bytes-per-connection\" must hold one answer: at least limits.max-frame-bytes (\(configuration.maximumFrameSize))")
            }
            configuration.maximumAnswerBytesPerConnection = n
        }
        configuration.maximumAnswerBytesPerIdentity = max(configuration.maximumAnswerBytesPerIdentity, configuration.maximumAnswerBytesPerConnection)
        if let n = integer("limits.max-answer-bytes-per-identity", in: 65_536...(1 << 32)) {
            if n < configuration.maximumAnswerBytesPerConnection, let entry = values["limits.max-answer-bytes-per-identity"] {
                fail(entry, "\"limits.max-answer-bytes-per-identity\" must be at least limits.max-answer-bytes-per-connection (\(configuration.maximumAnswerBytesPerConnection))")
            }
            configuration.maximumAnswerBytesPerIdentity = n
        }
        if let n = integer("limits.max-handshaking", in: 1...1_000_000) {
            if n >= configuration.maximumConnections, let entry = values["limits.max-handshaking"] {
                fail(entry, "\"limits.max-handshaking\" must be below limits.max-connections (\(configuration.maximumConnections)), so that authenticated users always find a slot")
            }
            configuration.maximumHandshaking = n
        }
        if let n = integer("limits.max-handshaking-per-address", in: 1...1_000_000) { configuration.maximumHandshakingPerAddress = n }
        if let n = integer("limits.max-subscriptions-per-identity", in: 1...1_000_000) { configuration.maximumSubscriptionsPerIdentity = n }
        if let n = integer("limits.max-report-bytes", in: 1024...(64 << 20)) {
            if n > configuration.maximumFrameSize - 64, let entry = values["limits.max-report-bytes"] {
                fail(entry, "\"limits.max-report-bytes\" must leave room in a frame: at most limits.max-frame-bytes - 64 (\(configuration.maximumFrameSize - 64))")
            }
            configuration.maximumReportSize = n
        } else {
            configuration.maximumReportSize = min(configuration.maximumReportSize, configuration.maximumFrameSize - 64)
        }
        if let n = integer("limits.max-attachment-bytes", in: 1024...Attachment.maximumReportBytes) { configuration.reportDefaults.maximumAttachmentBytes = n }
        if let n = integer("limits.publish-rate", in: 0...1_000_000) { configuration.publishRate = Double(n) }
        if let n = integer("limits.publish-burst", in: 1...10_000_000) {
            configuration.publishBurst = n
            if values["limits.publish-rate"] == nil, let entry = values["limits.publish-burst"] { fail(entry, "\"limits.publish-burst\" needs \"limits.publish-rate\"") }
        } else {
            configuration.publishBurst = max(1, Int(configuration.publishRate))
        }
        if let d = duration("limits.handshake-timeout") { configuration.handshakeTimeout = d }
        if values["limits.defer-accept"]?.value == "off" {
            configuration.deferAccept = 0
        } else if let d = duration("limits.defer-accept") {
            configuration.deferAccept = d
        }
        if let d = duration("limits.frame-timeout") { configuration.frameTimeout = d }
        if let d = duration("limits.read-budget") { configuration.readBudget = d }
        if let d = duration("limits.hello-timeout") { configuration.helloTimeout = d }
        if let d = duration("limits.idle-timeout") { configuration.idleTimeout = d }
        if let entry = values["threads"] {
            if entry.value == "auto" { configuration.threads = 0 } else if let n = integer("threads", in: 1...64) { configuration.threads = n }
        }
        for category in Purpose.allCases {
            if let d = duration("reports.personal.max-retention.\(category.rawValue)") { configuration.reportDefaults.maximumRetention[category] = d }
        }
        for kind in ReportKind.allCases {
            if let d = duration("reports.max-lifetime.\(kind.rawValue)") { configuration.reportDefaults.maximumLifetime[kind] = d }
            if let d = duration("reports.lifetime.\(kind.rawValue)") {
                let maximum = configuration.reportDefaults.maximumLifetime[kind] ?? .infinity
                if d > maximum, let entry = values["reports.lifetime.\(kind.rawValue)"] {
                    fail(entry, "\"reports.lifetime.\(kind.rawValue)\" is longer than reports.max-lifetime.\(kind.rawValue) (\(Int(maximum / 86400))d)")
                }
                configuration.reportDefaults.lifetime[kind] = d
            }
        }
        if let entry = values["reports.default-handling"] {
            if let code = HandlingCode(rawValue: entry.value) { configuration.reportDefaults.handling = code } else {
                fail(entry, "\"reports.default-handling\" must be H0, H1, H2 or H3")
            }
        }
        if let entry = values["reports.signatures"] {
            switch entry.value {
            case "required": configuration.requireSignatures = true
            case "optional": configuration.requireSignatures = false
            default: fail(entry, "\"reports.signatures\" must be required or optional")
            }
        }
        if let entry = values["reports.receipts"] {
            switch entry.value {
            case "yes": configuration.sendReceipts = true
            case "no": configuration.sendReceipts = false
            default: fail(entry, "\"reports.receipts\" must be yes or no")
            }
        }
        configuration.peers = peers
        if let entry = values["routes"] {
            let path = file.resolve(entry.value)
            configuration.routesPath = path
            do throws(ConfigErrors) {
                _ = try RoutingTable.load(path, knownHops: Set(peers.map(\.name)))
            } catch {
                if error.errors.count == 1 && error.errors[0].line == 0 {
                    fail(entry, "cannot read the routing table \(path)")
                } else {
                    errors += error.errors
                }
            }
        }
        if let entry = values["access"] {
            let path = file.resolve(entry.value)
            configuration.accessPath = path
            do throws(ConfigErrors) {
                _ = try AccessRules.load(path)
            } catch {
                if error.errors.count == 1 && error.errors[0].line == 0 {
                    fail(entry, "access rules \(error.errors[0].description)")
                } else {
                    errors += error.errors
                }
            }
        }
        configuration.user = values["user"]?.value
        if let entry = values["group"] {
            if configuration.user == nil { fail(entry, "\"group\" needs \"user\"") }
            configuration.group = entry.value
        }
        if let n = integer("limits.subscriber-window-bytes", in: 4096...(1 << 30)) { configuration.subscriberWindowBytes = n }
        if let d = duration("limits.subscriber-stall") { configuration.subscriberStall = d }
        if let n = integer("queue.max-per-hop", in: 1...100_000_000) { configuration.maximumQueuedPerHop = n }
        if let n = integer("link.window", in: 1...1024) { configuration.linkWindow = n }
        if let d = duration("link.backoff-initial") { configuration.backoffInitial = d }
        if let d = duration("link.answer-timeout") { configuration.linkAnswerTimeout = d }
        if let d = duration("link.backoff-max") { configuration.backoffMaximum = d }
        if let d = duration("queue.expiry-sweep") { configuration.expirySweepInterval = d }
        if let d = duration("retention.delivered") { configuration.deliveredRetention = d }
        if let entry = values["log.level"] {
            if let level = LogLevel(name: entry.value) { configuration.logLevel = level } else {
                fail(entry, "\"log.level\" must be debug, info, warn or error")
            }
        }
        if let entry = values["log.format"] {
            if let format = LogFormat(rawValue: entry.value) { configuration.logFormat = format } else {
                fail(entry, "\"log.format\" must be logfmt or json")
            }
        }
        if let entry = values["log.file"] { configuration.logFile = file.resolve(entry.value) }
        if let entry = values["metrics.listen"] {
            if let endpoint = Endpoint(entry.value) { configuration.metricsListen = endpoint } else {
                fail(entry, "\"metrics.listen\" is not HOST:PORT")
            }
        }
        if let entry = values["node.address"] {
            if let endpoint = Endpoint(entry.value), endpoint.port != 0 { configuration.address = endpoint } else {
                fail(entry, "\"node.address\" is not HOST:PORT (where people's ilo reaches this node, e.g. post-tunis.ilonet.example:7600)")
            }
        }
        for (key, limit) in [("node.controller", 200), ("node.controller-contact", 300)] {
            guard let entry = values[key] else { continue }
            let text = entry.value.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, text.count <= limit, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                fail(entry, "\"\(key)\" is a text of 1 to \(limit) characters on one line")
                continue
            }
            if key == "node.controller" { configuration.controller = text } else { configuration.controllerContact = text }
        }
        if let entry = values["node.controller-law"] {
            if let law = DataProtectionLaw(rawValue: entry.value) { configuration.controllerLaw = law } else {
                fail(entry, "\"node.controller-law\" is one of \(DataProtectionLaw.choices) (the law the controller applies: a member state's authority the GDPR or, for criminal offences, Directive (EU) 2016/680; an EU institution Regulation (EU) 2018/1725)")
            }
        }
        if let entry = values["web.listen"] {
            if let endpoint = Endpoint(entry.value) { configuration.webListen = endpoint } else {
                fail(entry, "\"web.listen\" is not HOST:PORT (e.g. 0.0.0.0:7444)")
            }
        }
        if !errors.isEmpty {
            throw ConfigErrors(errors: errors.sorted { ($0.line, $0.message) < ($1.line, $1.message) })
        }
        configuration.sourcePath = path
        for entry in file.entries { configuration.startupValues[entry.key, default: []].append(entry.value) }
        return configuration
    }

    /// Everything `ilod --check-config` checks beyond the syntax: the certificate,
    /// key and CA load and match. Reads files only; never opens or creates the store.
    public func checkResources(configPath: String) -> [ConfigError] {
        do {
            let credentials = try TLSCredentials(certificate: tls.certificatePath, privateKey: tls.privateKeyPath, checkKeyPermissions: true)
            _ = try TLSContext(tls, credentials: credentials)
            // The node's name is what peers verify and what report paths record.
            let identity = try PeerIdentity(certificateFile: tls.certificatePath)
            guard identity.id == name else {
                return [ConfigError(file: configPath, line: lines["node.name"] ?? 0, "node.name \"\(name)\" differs from the certificate's CN \"\(identity.id)\"")]
            }
            return []
        } catch let error as IdentityError {
            return [ConfigError(file: configPath, line: lines["tls.certificate"] ?? 0, "tls.certificate: \(error)")]
        } catch let error as OpenSSLError {
            // Point at the key whose file failed to load.
            let key =
                error.context.contains(tls.privateKeyPath) ? "tls.key"
                : tls.revocationListPath.map(error.context.contains) == true ? "tls.crl"
                : error.context.contains(tls.trustRootsPath) ? "tls.ca" : "tls.certificate"
            return [ConfigError(file: configPath, line: lines[key] ?? 0, "\(key): \(error)")]
        } catch {
            return [ConfigError(file: configPath, line: 0, "\(error)")]
        }
    }

    public var threadCount: Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
