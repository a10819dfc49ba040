import Foundation
import ILONet
import ILOClient

/// `ilo outbox`: the reports kept on this computer that no node has acknowledged yet.
enum OutboxCommand {
    static let help = """
        usage: ilo outbox [--json]
               ilo outbox flush [--watch] [--json]

        ilo send keeps every report in this computer's outbox, with its final id and
        signature, before it sends anything. A report whose acknowledgement did not
        come back (the link dropped, the node was down or busy) stays there and is
        sent again with the same id and the same bytes, so it is never delivered
        twice. Every ilo command that reaches the node sends what waits first and
        says so in one line.

          ilo outbox        what waits: id, age, priority, state, headline, last error;
                            and what a node refused for good (never sent again)
          flush             send what waits now, most urgent first; exit 0 when nothing
                            is left, 4 when some still wait, 1 when one was refused
          flush --watch     keep trying, with backoff (5 s doubling to 5 min), until
                            nothing waits: for a login script or the systemd user timer
                            config/ilo-outbox.timer
          --json            machine-readable

        The outbox is $XDG_STATE_HOME/ilo/outbox-*.sqlite (default ~/.local/state/ilo/),
        one per node and certificate, readable only by you; beside it, session-*.der
        hold the TLS session tickets nodes gave (docs/PROTOCOL.md §1), and
        outbox-*.sqlite.lock says which ilo is sending the outbox's files.

        examples:
          ilo outbox
          ilo outbox flush --watch
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let watch = arguments.flag("watch")
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        let verb = arguments.positional()
        try arguments.finish()
        guard verb == nil || verb == "flush" else { throw UsageError("unknown outbox command \"\(verb!)\" (flush)") }
        if watch && verb == nil { throw UsageError("--watch goes with flush: ilo outbox flush --watch") }
        let outbox: Outbox?
        do throws(OutboxError) {
            outbox = try Outbox(for: options, create: false)
        } catch {
            printError("\(error)")
            return Exit.failed
        }
        guard let outbox else {
            print(json ? "[]" : "the outbox is empty: every report sent from this computer to \(options.node) was acknowledged")
            return Exit.ok
        }
        return verb == nil ? list(outbox, json: json) : flush(outbox, options: options, watch: watch, json: json)
    }

    static func list(_ outbox: Outbox, json: Bool) -> Int32 {
        let entries: [Outbox.Entry]
        do throws(OutboxError) {
            entries = try outbox.all(limit: 10_000).filter { $0.state != .accepted }
        } catch {
            printError("\(error)")
            return Exit.failed
        }
        if json {
            print(JSONValue.array(entries.map { entry in
                var item: [String: JSONValue] = [
                    "id": .string(entry.id), "kind": .string(entry.kind), "country": .string(entry.country), "headline": .string(entry.headline),
                    "priority": .string(entry.priority.rawValue), "queued": .string(Timestamp.format(milliseconds: entry.queuedMilliseconds)),
                    "state": .string(entry.state.rawValue), "attempts": .integer(Int64(entry.attempts)),
                ]
                if let error = entry.lastError { item["last_error"] = .string(error) }
                if let refusal = entry.refusal { item["refusal"] = .string(refusal) }
                return .object(item)
            }).prettyString())
            return Exit.ok
        }
        guard !entries.isEmpty else {
            print("the outbox is empty: every report sent from this computer was acknowledged")
            return Exit.ok
        }
        print("ID                                    AGE   PRIORITY   STATE    KIND       CC  HEADLINE")
        let now = Timestamp.nowMilliseconds()
        for entry in entries {
            func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
            print([entry.id, pad(Timestamp.age(now - entry.queuedMilliseconds), 4), pad(entry.priority.rawValue, 9),
                   pad(entry.state.rawValue, 7), pad(entry.kind, 9), pad(entry.country, 2), TerminalText.line(entry.headline)].joined(separator: "  "))
            if let refusal = entry.refusal {
                print("    refused for good: \(TerminalText.line(refusal)) — it is not sent again; correct it and send it as a new report")
            } else if let error = entry.lastError {
                print("    last try (\(entry.attempts)): \(TerminalText.line(error))")
            }
        }
        return Exit.ok
    }

    static func flush(_ outbox: Outbox, options: ClientOptions, watch: Bool, json: Bool) -> Int32 {
        var pause = 5.0
        while true {
            var result = OutboxFlush.Result()
            do throws(ClientError) {
                let client = try ClientConnection(options)
                do throws(OutboxError) {
                    result = try OutboxFlush.run(outbox, over: client)
                } catch {
                    printError("\(error)")
                    return Exit.failed
                }
                client.close()
            } catch {
                result.stoppedBy = error
                result.remaining = (try? outbox.queued().count) ?? 0
                if result.remaining == 0 { result.stoppedBy = nil }
            }
            if json {
                print(JSONValue.object([
                    "sent": .array(result.sent.map { sent -> JSONValue in ["id": .string(sent.id), "duplicate": .bool(sent.duplicate)] }),
                    "refused": .array(result.refused.map { refused -> JSONValue in
                        ["id": .string(refused.id), "code": .string(refused.error.code.rawValue), "message": .string(refused.error.message)]
                    }),
                    "still_queued": .integer(Int64(result.remaining)),
                    "file_bytes_sent": .integer(Int64(result.fileBytesSent)),
                ]).encodedString())
            } else if !watch || !result.isEmpty {
                print(result.summary)
            }
            if result.remaining == 0 { return result.refused.isEmpty ? Exit.ok : Exit.failed }
            if !watch || result.stoppedBy?.isCertificateProblem == true {
                return result.stoppedBy?.isCertificateProblem == true ? Exit.failed : Exit.queuedHere
            }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 300)
        }
    }
}

/// A connection for any command that reaches the node: what waits in this
/// computer's outbox is sent first, and one line says so. With `followHome`
/// (the commands that read your mailbox), a node that says in WELCOME that you
/// read at another node (docs/ROUTING.md §8) is left for that one, as a mail
/// client follows its account's server, with a one-line note.
func connect(_ options: ClientOptions, followHome: Bool = false) throws(ClientError) -> ClientConnection {
    let client = try ClientConnection(options)
    if let outbox = try? Outbox(for: options, create: false), let queued = try? outbox.queued(), !queued.isEmpty,
        let result = try? OutboxFlush.run(outbox, over: client), !result.isEmpty
    {
        printError(result.summary)
    }
    guard followHome, let home = client.welcome.body["home"], let name = home["node"]?.stringValue else { return client }
    let here = client.welcome.body["node"]?.stringValue ?? options.node.description
    guard let address = home["address"]?.stringValue, let endpoint = Endpoint(address) else {
        printError("note: you read at \(name), not at \(here), which does not know its address: give it with --node HOST:PORT --server-name \(name)")
        return client
    }
    client.close()
    var there = options
    there.node = endpoint
    there.serverName = name
    printError("note: you read at \(name) (\(address)); ilo reads there, not at \(here)")
    return try ClientConnection(there)
}
