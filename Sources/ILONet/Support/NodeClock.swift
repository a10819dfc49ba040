import Foundation

/// The time a node's reports, digests and erasures go by: the checks on a report's
/// `created` and `expires` when it arrives, digest periods, erase-by dates and
/// retention. Normally the system clock; when the environment variable
/// ILONET_CLOCK_FILE names a file, its content (a UTC time such as
/// 2026-11-23T00:05:00Z) is the time instead, so tests can move a node through
/// two years of reports. The node logs loudly when it uses a file.
public struct NodeClock: Sendable {
    public let file: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        file = environment["ILONET_CLOCK_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func now() -> Int64 {
        guard let file, let data = FileManager.default.contents(atPath: file),
            let text = String(data: data, encoding: .utf8), let time = Timestamp.parse(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return Timestamp.nowMilliseconds() }
        return time
    }
}
