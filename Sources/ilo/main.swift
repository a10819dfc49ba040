// ilo: the ILONet command line for officers, board members and administrators.
import Foundation
import Glibc
import ILONet
import ILOClient

/// Exit codes (documented in README.md): 0 done, 1 refused or failed,
/// 2 usage error, 3 node unreachable or busy (try again later).
enum Exit {
    static let ok: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let unavailable: Int32 = 3
    /// `ilo send`: the report is kept in this computer's outbox and sent with the
    /// same id when the node is reachable (`ilo outbox`).
    static let queuedHere: Int32 = 4
}

let connectionHelp = """
    connection options (also from ILO_NODE, ILO_CERT, ILO_KEY, ILO_CA, ILO_SERVER_NAME,
    or a profile in ~/.config/ilo/profiles.conf chosen with --profile NAME / ILO_PROFILE):
      --node HOST:PORT      the node to talk to
      --cert FILE --key FILE  your certificate and private key
      --ca FILE             the network's CA certificate
      --server-name NAME    the name the node's certificate must carry (default: HOST)
    """

let usage = """
    usage: ilo COMMAND [options]

    commands:
      template print a fill-in report: ilo template smuggling > report.json
      validate check a report offline: ilo validate report.json
      send     send a report:        ilo send --file report.json
      outbox   what waits on this computer: ilo outbox | ilo outbox flush [--watch]
      sent     your reports and where each is: ilo sent [ID]
      directory who is deployed where, for whom: ilo directory --country LY | export --format csv
      deploy   register a deployment (authority): ilo deploy IDENTITY --post LY:Tripoli --from DATE …
      inbox    your mailbox:         ilo inbox [--all] [--json] [--limit N]
      read, unread  mark reports:    ilo read ID… | ilo unread ID…
      show     one report in full:   ilo show ID [--json]
      attachment  a report's file, verified:  ilo attachment get ID N [-o FILE]
      search   find reports you may read: ilo search zuwara boats [--country LY] [--since DAY]
      consent  pass an H2 report on with its author's permission:
               ilo consent request ID --to NAME | grant ID --to NAME | refuse ID --to NAME
      withdraw, restrict, erase  take back a report you sent, everywhere it went:
               ilo withdraw ID --ground inaccurate | restrict [--lift] ID … | erase ID …
      correct  replace a report you sent, for exactly its recipients: ilo correct ID --file fixed.json
      erasure  where an order stands, node by node: ilo erasure ID
      event    events (2021/581): ilo event list | show ID | assess|validate|close|reopen|transfer ID …
      export   reports or events as CSV: ilo export reports --kind border --from DAY --to DAY | events …
      subscribe, unsubscribe, subscriptions
               topics you receive:   ilo subscribe 'smuggling/LY/#' [--digest daily]
      watch    reports as they come: ilo watch ['border/#']
      digest   summaries:            ilo digest show [ID] | ilo digest preview FILTER --since 24h
      report   the activity report (board): ilo report activity --from DAY --to DAY [--format csv]
      trend    counts per week or month (board): ilo trend --from DAY --to DAY --by country
      status   a node's state (admin): ilo status [--json]
      queue    what waits where (admin): ilo queue [--json] | flush | retry|hold|release|delete ID
      route    explain routing:      ilo route test --country LY --kind smuggling --authority DE
      dpo      the data-protection officer's tools: ilo dpo record | ilo dpo find --document-number N --reason TEXT
      audit    a node's audit trail (on its host): ilo audit verify --config NODE.conf | show --report ID
      whoami   show who the node says you are (from your certificate)
      ping     check that the node answers
      bench    load tools:           ilo bench load ... | ilo bench connections --count 10000 --pid PID
      completion  shell completion:  source <(ilo completion bash)   (or zsh)

    \(connectionHelp)
    exit codes: 0 done, 1 refused or failed, 2 usage error, 3 node unreachable or busy (try again),
    4 (ilo send, ilo outbox flush) kept in this computer's outbox, sent with the same id when the node is reachable
    """

func printError(_ message: String) {
    FileHandle.standardError.write(Data("ilo: \(message)\n".utf8))
}

func exitFor(_ error: ClientError) -> Int32 {
    printError(error.description)
    return error.isTransient ? Exit.unavailable : Exit.failed
}

signal(SIGPIPE, SIG_IGN)
/// The command line with connection options given before the command moved to
/// the end: `ilo --profile tripoli consent grant ID` is `ilo consent grant ID
/// --profile tripoli`. At the end (before a `--`), their values cannot be taken
/// for a command's verb or id, which are read before its options.
func commandFirst(_ raw: [String]) -> [String] {
    let global: Set<String> = ["--profile", "--node", "--cert", "--key", "--ca", "--server-name"]
    var rest = raw[...]
    var leading: [String] = []
    while let first = rest.first, let name = first.split(separator: "=", maxSplits: 1).first.map(String.init), global.contains(name) {
        leading.append(rest.removeFirst())
        if !first.contains("="), let value = rest.first {
            leading.append(value)
            rest.removeFirst()
        }
    }
    guard let command = rest.first else { return leading }
    var after = Array(rest.dropFirst())
    after.insert(contentsOf: leading, at: after.firstIndex(of: "--") ?? after.endIndex)
    return [command] + after
}

/// Runs one command; `ilo help COMMAND` comes back here as `COMMAND --help`.
func dispatch(_ command: String?, _ arguments: inout Arguments) throws(UsageError) -> Int32 {
    switch command {
    case "send": return try SendCommand.run(&arguments, validateOnly: false)
    case "validate": return try SendCommand.run(&arguments, validateOnly: true)
    case "template": return try TemplateCommand.run(&arguments)
    case "show": return try ShowCommand.run(&arguments)
    case "attachment": return try AttachmentCommand.run(&arguments)
    case "consent": return try ConsentCommand.run(&arguments)
    case "withdraw", "restrict", "erase", "erasure": return try OrderCommand.run(command!, &arguments)
    case "correct": return try OrderCommand.correct(&arguments)
    case "event": return try EventCommand.run(&arguments)
    case "export": return try ExportCommand.run(&arguments)
    case "dpo": return try DpoCommand.run(&arguments)
    case "outbox": return try OutboxCommand.run(&arguments)
    case "sent": return try SentCommand.run(&arguments)
    case "directory": return try DirectoryCommand.run(&arguments)
    case "report": return try ReportCommand.run(&arguments)
    case "trend": return try TrendCommand.run(&arguments)
    case "search": return try SearchCommand.run(&arguments)
    case "deploy": return try DeployCommand.run(&arguments)
    case "queue": return try QueueCommand.run(&arguments)
    case "status": return try StatusCommand.run(&arguments)
    case "subscribe", "unsubscribe", "subscriptions", "watch": return try SubscribeCommand.run(command!, &arguments)
    case "digest": return try DigestCommand.run(&arguments)
    case "route": return try RouteCommand.run(&arguments)
    case "inbox": return try InboxCommand.run(&arguments)
    case "read", "unread": return try MarkCommand.run(command!, &arguments)
    case "whoami", "ping": return try SessionCommands.run(command!, &arguments)
    case "bench": return try BenchCommand.run(&arguments)
    case "audit": return try AuditCommand.run(&arguments)
    case "completion": return try CompletionCommand.run(&arguments)
    case "help" where arguments.peekPositional != nil:
        // `ilo help send` is `ilo send --help`.
        let topic = arguments.positional()!
        try arguments.finish()
        var help = Arguments(["--help"])
        return try dispatch(topic, &help)
    case "help", nil:
        if arguments.flag("version") {
            print("ilo \(ILONetVersion.current)")
            return Exit.ok
        }
        print(usage)
        // `ilo` alone is a usage error; `ilo help` and `ilo --help` are not.
        return command == nil && !arguments.flag("help") ? Exit.usage : Exit.ok
    default:
        // A command that does not exist is an error, --help or not: a script can tell.
        printError("unknown command \"\(command!)\"; `ilo help` lists the commands")
        return Exit.usage
    }
}

var arguments = Arguments(commandFirst(Array(CommandLine.arguments.dropFirst())))
let command = arguments.positional()
let status: Int32
do {
    status = try dispatch(command, &arguments)
} catch {
    printError("\(error)\n(see ilo \(command ?? "") --help)")
    status = Exit.usage
}
exit(status)
