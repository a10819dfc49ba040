// ilod: the ILONet daemon. Every node runs this binary; its configuration gives
// it a name and a role. See `ilod --help` and config/hub.conf.
import Foundation
import Glibc
import ILONet

let usage = """
    usage: ilod --config FILE             run a node
           ilod --config FILE --skip-store-check
                                           emergency start without PRAGMA quick_check on the store
                                           (a store the node itself marked damaged is still refused)
           ilod --check-config --config FILE
                                           check the configuration (and the files it names) and exit;
                                           prints FILE:LINE: message for each problem, touches no state
           ilod --version

    signals: SIGTERM/SIGINT stop gracefully (finish commits in flight, close connections, exit 0);
             SIGHUP reloads the routing table, the access rules, the trust roots and the revocation list
                    (a broken file is refused, the old kept) and reopens log.file
    systemd: with Type=notify (config/ilod.service) it reports READY, RELOADING and STOPPING
    example: ilod --config config/hub.conf
    """

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("ilod: \(message)\n".utf8))
    exit(code)
}

var arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
if arguments.flag("help") || CommandLine.arguments.count == 1 {
    print(usage)
    exit(CommandLine.arguments.count == 1 ? 2 : 0)
}
if arguments.flag("version") {
    print("ilod \(ILONetVersion.current) (protocol v\(ILONetVersion.protocolVersion))")
    exit(0)
}
let checkOnly = arguments.flag("check-config")
let skipStoreCheck = arguments.flag("skip-store-check")
let configPath: String
do {
    guard let path = try arguments.option("config") else { fail("--config FILE is required\n\n\(usage)", code: 2) }
    configPath = path
    try arguments.finish()
} catch {
    fail("\(error)\n\n\(usage)", code: 2)
}

var configuration: NodeConfiguration
do {
    configuration = try NodeConfiguration.load(configPath)
    configuration.checkStoreAtStart = !skipStoreCheck
} catch {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    exit(1)
}
if checkOnly {
    let problems = configuration.checkResources(configPath: configPath)
    for problem in problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
    if problems.isEmpty { print("\(configPath): configuration is valid") }
    exit(problems.isEmpty ? 0 : 1)
}

// Signals are handled synchronously on this thread: block them before any other
// thread starts (threads inherit the mask), then wait for them with sigwait.
signal(SIGPIPE, SIG_IGN)
var signals = sigset_t()
sigemptyset(&signals)
for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, s) }
pthread_sigmask(SIG_BLOCK, &signals, nil)
_ = raiseOpenFileLimit()

var logFile: LogFile?
if let path = configuration.logFile {
    do {
        logFile = try LogFile(path: path)
    } catch {
        fail("\(error)")
    }
}
let logger = Logger(level: configuration.logLevel, format: configuration.logFormat, sink: logFile?.sink ?? Logger.stderrSink)
let systemd = ServiceNotifier(environment: ProcessInfo.processInfo.environment)
let node: Node
do {
    node = try Node(configuration: configuration, logger: logger)
} catch {
    logger.error("cannot start", ["error": error.description])
    exit(1)
}
systemd.ready(status: "serving \(configuration.name)")
node.store.health.onFailure { reason in _ = systemd.send("STATUS=STORE FAILED, acknowledging nothing: \(reason)") }

while true {
    var received: Int32 = 0
    sigwait(&signals, &received)
    switch received {
    case SIGHUP:
        systemd.reloading()
        do {
            try logFile?.reopen()
        } catch {
            logger.error("cannot reopen the log file; still writing to the old one", ["error": error.description])
        }
        logger.info("SIGHUP received; reloading the routing table, the access rules, the trust roots and the revocation list")
        node.reload()
        // systemd's STATUS says a refused reload until the next good one (`systemctl status ilod`).
        let reloadProblem = node.lastReload.flatMap { $0.succeeded ? nil : "reload failed, nothing changed: \($0.problems.first ?? "?")" }
        systemd.ready(
            status: node.store.health.failureReason.map { "STORE FAILED, acknowledging nothing: \($0)" }
                ?? reloadProblem.map { "serving \(configuration.name); \($0)" } ?? "serving \(configuration.name)")
    default:
        systemd.stopping()
        logger.info("stopping", ["signal": received == SIGTERM ? "TERM" : "INT"])
        node.stop()
        exit(0)
    }
}
