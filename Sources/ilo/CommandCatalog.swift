import ILONet
import ILOClient

/// Every `ilo` command, its subcommands and options, for shell completion and
/// for the test that runs `--help` on each. Keep it in step with the commands'
/// own parsers (the test checks that each listed option is named in the
/// command's help).
enum CommandCatalog {
    struct Command {
        let name: String
        let summary: String
        var subcommands: [String] = []
        var options: [String] = []
        /// Options that take no connection to a node (offline commands).
        var offline = false
    }

    static let connection = ["--node", "--cert", "--key", "--ca", "--server-name", "--profile"]
    static let envelope = ReportDraft.flags.map { "--" + $0.flag } + ["--file"]

    static let commands: [Command] = [
        Command(name: "template", summary: "print a fill-in report", subcommands: ["smuggling", "return", "border"], options: ["--personal-data"], offline: true),
        Command(name: "validate", summary: "check a report offline", options: envelope + ["--json", "--cert"], offline: true),
        Command(name: "send", summary: "send a report", options: envelope + ["--json", "--attach", "--caption", "--confirm-no-personal-data"]),
        Command(name: "attachment", summary: "a report's file, verified against its signed hash", subcommands: ["get"], options: ["--output", "--reason"]),
        Command(name: "inbox", summary: "your mailbox: new reports (--all: read ones too)", options: ["--all", "--json", "--limit", "--before", "--peek", "--wide", "--notices"]),
        Command(name: "read", summary: "mark reports in your mailbox read"),
        Command(name: "unread", summary: "mark reports in your mailbox unread"),
        Command(name: "outbox", summary: "what waits on this computer", subcommands: ["flush"], options: ["--watch", "--json"]),
        Command(name: "sent", summary: "your reports and where each is", options: ["--limit", "--json"]),
        Command(name: "directory", summary: "who is deployed where (the register)", subcommands: ["export"], options: ["--country", "--state", "--as-of", "--format", "--json"]),
        Command(name: "report", summary: "the activity report (Art. 8) from the statistics ledger", subcommands: ["activity"], options: ["--from", "--to", "--by", "--format"]),
        Command(name: "trend", summary: "reports (or events) per week or month from the statistics ledger", options: ["--from", "--to", "--every", "--by", "--events", "--format"]),
        Command(name: "deploy", summary: "register a deployment (authority)", subcommands: ["end", "import"], options: [
            "--role", "--post", "--from", "--until", "--function", "--display-name", "--represents", "--reads-at", "--on", "--json", "--file",
        ]),
        Command(name: "show", summary: "one report in full", options: ["--reason", "--json"]),
        Command(name: "export", summary: "reports or events as CSV for your own tools", subcommands: ["reports", "events"], options: ["--kind", "--from", "--to", "--free-text", "--format"]),
        Command(name: "search", summary: "find reports you may read", options: ["--kind", "--country", "--priority", "--handling", "--state", "--since", "--until", "--limit", "--page", "--wide", "--json"]),
        Command(name: "consent", summary: "pass an H2 report on with its author's permission", subcommands: ["request", "grant", "refuse"], options: ["--to", "--reason", "--requested-by", "--json"]),
        Command(name: "withdraw", summary: "withdraw a report you sent, everywhere it went", options: ["--ground", "--note", "--json"]),
        Command(name: "restrict", summary: "hold a report everywhere, disclosed to nobody (--lift: end it)", options: ["--lift", "--ground", "--note", "--json"]),
        Command(name: "erase", summary: "erase every copy of a report now", options: ["--ground", "--note", "--json"]),
        Command(name: "correct", summary: "replace a report you sent, for exactly its recipients", options: ["--file", "--json"]),
        Command(name: "erasure", summary: "where an order about a report stands, node by node", options: ["--json"]),
        Command(
            name: "event", summary: "events: first report, follow-ups, the owner's assessment, closure",
            subcommands: ["list", "show", "assess", "validate", "close", "reopen", "transfer", "share"],
            options: ["--open", "--closed", "--limit", "--json", "--impact", "--validated", "--not-validated", "--reason", "--to", "--with", "--note"]),
        Command(name: "subscribe", summary: "receive a topic", options: ["--digest", "--at", "--json"]),
        Command(name: "unsubscribe", summary: "stop receiving a topic", options: ["--digest", "--json"]),
        Command(name: "subscriptions", summary: "what you receive", options: ["--json"]),
        Command(name: "watch", summary: "reports as they arrive", options: ["--json", "--count"]),
        Command(name: "digest", summary: "summaries", subcommands: ["show", "preview"], options: ["--format", "--since", "--until"]),
        Command(name: "status", summary: "a node's state (admin)", options: ["--json", "--check"]),
        Command(name: "queue", summary: "what waits where (admin)", subcommands: ["flush", "retry", "hold", "release", "delete"], options: ["--json", "--limit", "--reason", "--next-hop", "--state", "--older-than"]),
        Command(name: "route", summary: "explain routing", subcommands: ["test"], options: [
            "--country", "--kind", "--authority", "--state", "--priority", "--handling", "--personal-data", "--represented", "--addressees",
            "--table", "--json",
        ]),
        Command(name: "audit", summary: "a node's audit trail (on its host, or as dpo over the network)", subcommands: ["verify", "show", "list"], options: ["--store", "--config", "--report", "--tree", "--event", "--after", "--limit", "--json"]),
        Command(name: "dpo", summary: "the data-protection officer's tools (no content)", subcommands: ["record", "find"], options: [
            "--document-number", "--name", "--date-of-birth", "--reason", "--json",
        ]),
        Command(name: "whoami", summary: "who the node says you are", options: ["--json"]),
        Command(name: "ping", summary: "check that the node answers", options: ["--json"]),
        Command(name: "bench", summary: "load and abuse tools", subcommands: ["load", "connections", "abuse", "search-store", "search", "fetch", "link"], options: [
            "--to", "--listen", "--profile", "--up-kbit", "--down-kbit", "--rtt-ms", "--cut-every", "--cut-for",
            "--store", "--queries", "--requests", "--limit",
            "--protocol", "--publishers", "--subscribers", "--rate", "--window", "--size", "--duration", "--warmup", "--signed", "--pid", "--json",
            "--subscriber-cert", "--subscriber-key", "--subscriber-node", "--subscriber-server-name", "--resilient", "--drain-timeout",
            "--count", "--hold", "--concurrency", "--officer-cert", "--officer-key", "--watcher-cert", "--watcher-key", "--reader-cert", "--reader-key", "--unauthenticated",
        ]),
        Command(name: "completion", summary: "shell completion script", subcommands: ["bash", "zsh"], offline: true),
    ]

    /// Fixed values of options, for completion.
    static let values: [String: [String]] = [
        "--kind": ["smuggling", "return", "border"],
        "--priority": Priority.allCases.map(\.rawValue),
        "--handling": ["H0", "H1", "H2", "H3"],
        "--reliability": CodeBook.reliability.words,
        "--accuracy": CodeBook.accuracy.words,
        "--level": CodeBook.level.words,
        "--personal-data": CodeBook.personalData.words,
        "--digest": ["hourly", "daily", "weekly"],
        "--format": ["text", "markdown", "json"],
        "--protocol": ["ilonet", "mqtt", "nats"],
    ]

    /// Options whose value is a file name.
    static let fileOptions = ["--file", "--cert", "--key", "--ca", "--store", "--config", "--table", "--subscriber-cert", "--subscriber-key"]

    static func options(of command: Command) -> [String] {
        Array(Set(command.options + (command.offline ? [] : connection) + ["--help"])).sorted()
    }
}
