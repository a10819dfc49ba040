import Foundation
import ILONet
import ILOClient

enum RouteCommand {
    static let help = """
        usage: ilo route test --country CC [--kind KIND] [--authority NAME|CC] [--state CC]
                              [--priority P] [--handling H] [--personal-data P] [--represented CC,...]
                              [--addressees authority:CODE,...] [--table FILE] [--json]

        Explains where a report with these envelope fields goes from the node: each
        next hop and the rule (file:line) that chose it; asked of a node, also the
        hops the deployment register adds (where an addressed authority, or the
        authority of a state the report is on behalf of, reads: docs/ROUTING.md §2).
        With --table FILE, tests a routing table file offline instead of asking the
        node — check an edited table before you reload it with SIGHUP.

        examples:
          ilo route test --country LY --kind smuggling --authority DE
          ilo route test --country LY --authority DE-BPOL --table config/network/regional-na.routes
          ilo route test --country LY --authority DE-BPOL --handling H2 --addressees authority:IT-PS
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard arguments.positional() == "test" else { throw UsageError("expected: ilo route test --country CC ...") }
        var fields: [String: String] = [:]
        for name in ["country", "kind", "authority", "state", "priority", "handling", "personal-data", "represented", "addressees"] {
            fields[name] = try arguments.option(name)
        }
        guard fields["country"] != nil else { throw UsageError("--country is required") }
        let json = arguments.flag("json")
        let tablePath = try arguments.option("table")

        let node: String
        let table: String
        let decisions: [JSONValue]
        if let tablePath {
            try arguments.finish()
            let routing: RoutingTable
            do throws(ConfigErrors) { routing = try RoutingTable.load(tablePath) } catch {
                printError(error.description)
                return Exit.failed
            }
            node = "(offline)"
            table = tablePath
            decisions = routing.decide(RoutingTable.Envelope(testFields: fields)).map(\.json)
        } else {
            let options = try ClientProfile.resolve(&arguments)
            try arguments.finish()
            var body: [String: JSONValue] = [:]
            for (name, value) in fields { body[name == "personal-data" ? "personal_data" : name] = .string(value) }
            do throws(ClientError) {
                let client = try connect(options)
                let answer = try client.request(.routeTest, .object(body))
                client.close()
                node = answer.body["node"]?.stringValue ?? "?"
                table = answer.body["table"]?.stringValue ?? "?"
                decisions = answer.body["decisions"]?.arrayValue ?? []
            } catch {
                return exitFor(error)
            }
        }
        if json {
            print(JSONValue.object(["node": .string(node), "table": .string(table), "decisions": .array(decisions)]).prettyString())
            return Exit.ok
        }
        let query = fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: " ")
        print("at \(node) (table \(table)), a report with \(query) goes to:")
        if decisions.isEmpty { print("  no next hop: it stays at this node (delivered to its readers only)") }
        for decision in decisions {
            func s(_ key: String) -> String { decision[key]?.stringValue ?? "?" }
            print("  \(s("next_hop"))  by \(s("rule")) rule at \(s("location")): \(s("match"))")
        }
        return Exit.ok
    }
}
