import ILONet
import Foundation

/// The ids of reports `ilo` has already shown, per identity and node, so that a
/// report is shown once even when the confirmation to the node was lost (a
/// dropped link, a killed process): the node sends it again, `ilo` recognises it,
/// confirms it and stays quiet. Kept in `$XDG_STATE_HOME/ilo/` (default
/// `~/.local/state/ilo/`), the newest 20,000 ids per file.
public final class SeenReports {
    public let path: String
    private var ids: [String]
    private var set: Set<String>
    static let keep = 20_000

    public init(node: String, certificate: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        let key = (node + "|" + ((certificate as NSString).standardizingPath)).utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        path = "\(base)/ilo/seen-\(String(key, radix: 16)).txt"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        ids = text.split(separator: "\n").map(String.init)
        set = Set(ids)
    }

    public func contains(_ id: String) -> Bool { set.contains(id) }

    /// Records ids as shown, durably, before the node is told.
    public func record(_ new: [String]) {
        let fresh = new.filter { set.insert($0).inserted }
        guard !fresh.isEmpty else { return }
        ids += fresh
        if ids.count > SeenReports.keep { ids.removeFirst(ids.count - SeenReports.keep) }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let data = Data((ids.joined(separator: "\n") + "\n").utf8)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if let handle = FileHandle(forUpdatingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        _ = rename(temporary, path)
    }
}
