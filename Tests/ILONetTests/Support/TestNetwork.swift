import Foundation
import ILONet

/// The example network of config/network/ as real ilod processes on loopback:
/// board hub, Germany's authority node, the regional hub for North Africa and
/// the post node in Tripoli, with the routing tables from config/network/ and
/// short retry and sweep intervals.
final class TestNetwork: @unchecked Sendable {  // used from one test at a time
    static let fast = """
        link.backoff-initial  100ms
        link.backoff-max      500ms
        queue.expiry-sweep    200ms
        """

    let board: Daemon
    let authority: Daemon
    let regional: Daemon
    let post: Daemon
    /// The post node in Tunis (`withTunis`): where Rossi reads in the example network.
    let tunis: Daemon?
    /// The regional hub's routing table (a copy the test may change).
    let regionalRoutes: String

    /// - Parameter allConfig: lines added to every node's configuration.
    init(postConfig: String = "", allConfig: String = "", startRegional: Bool = true, signatures: String = "optional", withTunis: Bool = false) throws {
        let repository = TestEnvironment.repository.path
        // The built-in rules, and personal data held where the example network holds it
        // (the built-in rules let no node hold it, docs/ACCESS.md §4).
        let rules = TestEnvironment.runDirectory + "/network-\(UUID().uuidString.prefix(8)).rules"
        try (AccessRules.defaultText + "\nallow hold-personal node=regional-na.ilonet.example,authority-de.ilonet.example,post-tunis.ilonet.example\n")
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let access = allConfig.contains("access ") ? "" : "access \(rules)\n"
        let fast = TestNetwork.fast + "\n" + access + allConfig
        board = try Daemon(extraConfig: "peer regional-na.ilonet.example\n" + fast, certificate: "board", role: "board-hub", signatures: signatures)
        try board.start()
        authority = try Daemon(extraConfig: "peer regional-na.ilonet.example\n" + fast, certificate: "authority-de", role: "authority", signatures: signatures)
        try authority.start()
        let routes = TestEnvironment.runDirectory + "/regional-\(UUID().uuidString.prefix(8)).routes"
        try FileManager.default.copyItem(atPath: repository + "/config/network/regional-na.routes", toPath: routes)
        regionalRoutes = routes
        regional = try Daemon(
            extraConfig: """
                peer board.ilonet.example 127.0.0.1:\(board.port)
                peer authority-de.ilonet.example 127.0.0.1:\(authority.port)
                peer post-tripoli.ilonet.example
                \(withTunis ? "peer post-tunis.ilonet.example" : "")
                routes \(routes)
                \(fast)
                """, certificate: "regional-na", role: "regional-hub", signatures: signatures)
        try regional.start()
        post = try Daemon(
            extraConfig: """
                peer regional-na.ilonet.example 127.0.0.1:\(regional.port)
                routes \(repository)/config/network/post-tripoli.routes
                \(fast)
                \(postConfig)
                """, certificate: "post-tripoli", role: "post", signatures: signatures)
        if !startRegional { regional.stop() }
        try post.start()
        if withTunis {
            let tunis = try Daemon(
                extraConfig: """
                    peer regional-na.ilonet.example 127.0.0.1:\(regional.port)
                    routes \(repository)/config/network/post-tunis.routes
                    \(fast)
                    """, certificate: "post-tunis", role: "post", signatures: signatures)
            try tunis.start()
            self.tunis = tunis
        } else {
            tunis = nil
        }
    }

    var all: [Daemon] { [post, regional, board, authority] + (tunis.map { [$0] } ?? []) }

    /// Sends a report to the post node as `officer` with ilo; returns its id and ilo's result.
    func send(_ report: JSONValue, as officer: String = "officer-de") -> (id: String, status: Int32, stderr: String) {
        let file = post.directory + "/r-\(UUID().uuidString.prefix(8)).json"
        try? report.encodedString().write(toFile: file, atomically: true, encoding: .utf8)
        let result = run(TestEnvironment.ilo, ["send", "--file", file] + post.iloArguments(officer))
        return (result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), result.status, result.stderr)
    }
}
