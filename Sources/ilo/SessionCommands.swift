import Foundation
import ILONet
import ILOClient

/// `ilo whoami` and `ilo ping`: small checks of the connection itself.
enum SessionCommands {
    static let help = """
        usage: ilo whoami [--json]   show the node's view of you (identity from your certificate,
                                     and your home node when the register says you read elsewhere)
               ilo ping              check that the node answers; prints the round trip

        example:
          ilo whoami --node 127.0.0.1:7443 --cert certs-example/officer-de.crt \\
              --key certs-example/officer-de.key --ca certs-example/ca.crt
        """

    static func run(_ command: String, _ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        do throws(ClientError) {
            let started = Timestamp.monotonicNanoseconds()
            let client = try connect(options)
            if command == "ping" {
                let connected = Timestamp.monotonicNanoseconds()
                try client.request(.ping)
                let answered = Timestamp.monotonicNanoseconds()
                print("\(options.node) (\(client.nodeIdentity.id)): connected in \(Double(connected - started) / 1e6) ms, ping \(Double(answered - connected) / 1e6) ms")
            } else {
                let identity = client.welcome.body["identity"] ?? .null
                let node = client.welcome.body["node"]?.stringValue ?? "?"
                let home = client.welcome.body["home"]
                if json {
                    var fields: [String: JSONValue] = ["node": .string(node), "identity": identity]
                    if let home { fields["home"] = home }
                    print(JSONValue.object(fields).prettyString())
                } else {
                    print("you are \(identity["id"]?.stringValue ?? "?") (role \(identity["role"]?.stringValue ?? "?"), \(identity["authority"]?.stringValue ?? "?"), \(identity["state"]?.stringValue ?? "?")) on node \(node)")
                    if let name = home?["node"]?.stringValue {
                        print("you read at \(name)\(home?["address"]?.stringValue.map { " (\($0))" } ?? ""), the register says: ilo inbox, show and search go there")
                    }
                }
            }
            client.close()
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
