import Synchronization

/// The node's counters, in memory since start (Prometheus counters restart at
/// zero with the process, which its `rate()` handles). Incremented from any
/// thread; rendered in the Prometheus text format by `MetricsServer` together
/// with the gauges read at scrape time.
final class NodeMetrics: Sendable {
    /// One metric family's help text and type.
    struct Family: Sendable {
        let name: String
        let type: String
        let help: String
    }

    static let families = [
        Family(name: "ilonet_reports_received_total", type: "counter", help: "Reports taken into custody, by kind and how they came (publish, forward)."),
        Family(name: "ilonet_reports_forwarded_total", type: "counter", help: "Reports a next hop acknowledged, by peer."),
        Family(name: "ilonet_reports_delivered_total", type: "counter", help: "Deliveries readers confirmed (inbox or watch)."),
        Family(name: "ilonet_requests_refused_total", type: "counter", help: "Requests answered with an error, by error code (docs/PROTOCOL.md section 4)."),
        Family(name: "ilonet_tls_handshake_failures_total", type: "counter", help: "Connections that failed the TLS handshake or identity check, by side and reason."),
        Family(name: "ilonet_connections_refused_total", type: "counter", help: "Connections closed before their handshake because too many were handshaking (in all, or from one address), or to make room for one."),
        Family(name: "ilonet_reloads_total", type: "counter", help: "SIGHUP reloads, by result (ok, refused: nothing changed)."),
        Family(name: "ilonet_web_requests_total", type: "counter", help: "Requests to the web view (web.listen), by method."),
    ]

    private let counters: Mutex<[String: [String: UInt64]]>

    /// Every counter whose label values are known in advance starts at 0, so that
    /// it has a sample from the first scrape (a series that appears only with its
    /// first event defeats `increase()` and alerts on it). TLS failure reasons
    /// are OpenSSL's and open-ended: a reason appears with its first failure.
    init(peers: [String] = []) {
        var initial: [String: [String: UInt64]] = [:]
        func zero(_ name: String, _ labels: [KeyValuePairs<String, String>]) {
            for set in labels { initial[name, default: [:]][NodeMetrics.key(set)] = 0 }
        }
        zero("ilonet_reports_received_total", ReportKind.allCases.flatMap { kind in ["publish", "forward"].map { ["kind": kind.rawValue, "via": $0] } })
        zero("ilonet_reports_forwarded_total", peers.map { ["peer": $0] })
        zero("ilonet_reports_delivered_total", [[:]])
        zero("ilonet_requests_refused_total", ErrorCode.allCases.map { ["code": $0.rawValue] })
        zero("ilonet_tls_handshake_failures_total", ["server", "client"].map { ["side": $0, "reason": "identity refused"] })
        zero("ilonet_connections_refused_total", ["handshaking", "handshaking-per-address", "handshake-evicted"].map { ["reason": $0] })
        zero("ilonet_reloads_total", ["ok", "refused"].map { ["result": $0] })
        zero("ilonet_web_requests_total", ["GET", "HEAD", "POST", "other"].map { ["method": $0] })
        counters = Mutex(initial)
    }

    private static func key(_ labels: KeyValuePairs<String, String>) -> String {
        var key = ""
        for (index, label) in labels.enumerated() {
            if index > 0 { key += "," }
            key += label.key
            key += "=\""
            key += NodeMetrics.escape(label.value)
            key += "\""
        }
        return key
    }

    /// Adds `amount` to the counter `name` with `labels` (in the order given).
    func count(_ name: String, _ labels: KeyValuePairs<String, String> = [:], by amount: UInt64 = 1) {
        let key = NodeMetrics.key(labels)
        counters.withLock { $0[name, default: [:]][key, default: 0] += amount }
    }

    func counterValue(_ name: String, labels: String = "") -> UInt64 { counters.withLock { $0[name]?[labels] ?? 0 } }

    /// The counters, each family with its HELP and TYPE lines, in a stable order.
    func renderCounters() -> String {
        let snapshot = counters.withLock { $0 }
        var out = ""
        for family in NodeMetrics.families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for (labels, value) in (snapshot[family.name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += labels.isEmpty ? "\(family.name) \(value)\n" : "\(family.name){\(labels)} \(value)\n"
            }
        }
        return out
    }

    /// Counts a connection that ended in the handshake or the identity check.
    func countHandshakeFailure(_ reason: CloseReason, side: String) {
        switch reason {
        case .handshakeFailed(let error): count("ilonet_tls_handshake_failures_total", ["side": side, "reason": error.reason])
        case .identityRefused: count("ilonet_tls_handshake_failures_total", ["side": side, "reason": "identity refused"])
        default: break
        }
    }

    /// Label values escaped as the text format requires.
    static func escape(_ value: String) -> String {
        // Most values need nothing: counted per report, on the store thread (issue 32).
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else { return value }
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
