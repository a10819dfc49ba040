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
      inbox    read new reports:     ilo inbox [--json] [--limit N]
      show     one report in full:   ilo show ID [--json]
      consent  pass an H2 report on with its author's permission:
               ilo consent request ID --to NAME | grant ID --to NAME | refuse ID --to NAME
      subscribe, unsubscribe, subscriptions
               topics you receive:   ilo subscribe 'smuggling/LY/#' [--digest daily]
      watch    reports as they come: ilo watch ['border/#']
      digest   summaries:            ilo digest show [ID] | ilo digest preview FILTER --since 24h
      status   a node's state (admin): ilo status [--json]
      queue    what waits where (admin): ilo queue [--json] | flush | retry|hold|release|delete ID
      route    explain routing:      ilo route test --country LY --kind smuggling --authority DE
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
var arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
let command = arguments.positional()
let status: Int32
do {
    switch command {
    case "send": status = try SendCommand.run(&arguments, validateOnly: false)
    case "validate": status = try SendCommand.run(&arguments, validateOnly: true)
    case "template": status = try TemplateCommand.run(&arguments)
    case "show": status = try ShowCommand.run(&arguments)
    case "consent": status = try ConsentCommand.run(&arguments)
    case "outbox": status = try OutboxCommand.run(&arguments)
    case "sent": status = try SentCommand.run(&arguments)
    case "directory": status = try DirectoryCommand.run(&arguments)
    case "deploy": status = try DeployCommand.run(&arguments)
    case "queue": status = try QueueCommand.run(&arguments)
    case "status": status = try StatusCommand.run(&arguments)
    case "subscribe", "unsubscribe", "subscriptions", "watch": status = try SubscribeCommand.run(command!, &arguments)
    case "digest": status = try DigestCommand.run(&arguments)
    case "route": status = try RouteCommand.run(&arguments)
    case "inbox": status = try InboxCommand.run(&arguments)
    case "whoami", "ping": status = try SessionCommands.run(command!, &arguments)
    case "bench": status = try BenchCommand.run(&arguments)
    case "audit": status = try AuditCommand.run(&arguments)
    case "completion": status = try CompletionCommand.run(&arguments)
    case "help", nil:
        print(usage)
        // `ilo` alone is a usage error; `ilo help` and `ilo --help` are not.
        status = command == nil && !arguments.flag("help") ? Exit.usage : Exit.ok
    default:
        if arguments.flag("help") || command == "--help" {
            print(usage)
            status = Exit.ok
        } else {
            printError("unknown command \"\(command!)\"\n\n\(usage)")
            status = Exit.usage
        }
    }
} catch {
    printError("\(error)\n(see ilo \(command ?? "") --help)")
    status = Exit.usage
}
exit(status)
