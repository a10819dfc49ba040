import Foundation
import ILONet
import ILOClient

/// `ilo consent request|grant|refuse`: asking the provider of an H2 report to let
/// it go to someone else, and the provider's answer (docs/REPORTS.md §5.6).
enum ConsentCommand {
    static let help = """
        usage: ilo consent request ID --to NAME[,NAME…] [--reason TEXT] [--json]
               ilo consent grant   ID --to NAME[,NAME…] [--requested-by IDENTITY] [--json]
               ilo consent refuse  ID --to NAME[,NAME…] [--requested-by IDENTITY] [--reason TEXT] [--json]

        An H2 report is "not to be disseminated without the permission of the
        provider" (SIENA handling code H2). A recipient asks its author, who
        grants or refuses; the network then delivers the report to those named
        (identities, or authority:CODE), at every node that holds it and on to
        nodes a copy rule of the routing table sends that authority's reports to.
        Every step is a signed consent report (kind consent), recorded in each
        node's audit trail (consent-request, consent-grant, consent-refuse).
        A later refusal withdraws an earlier grant for the names it lists.

          request  you received the H2 report ID and ask its author; the request
                   reaches the author's inbox
          grant    you wrote ID: it may also go to --to
          refuse   you wrote ID: it may not go to --to
          --to            who the report would go to
          --requested-by  the identity whose request you answer (told of the decision)
          --reason        why (the purpose of the request, or of the refusal)
          --json          print {"id": ..., "about": ..., "decision": ...}

        examples:
          ilo consent request 01a2…-… --to authority:IT-PS --reason "Italian investigation into the same network"
          ilo consent grant 01a2…-… --to authority:IT-PS --requested-by board.fr.martin
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard let verb = arguments.positional() else { throw UsageError("say what to do: ilo consent request|grant|refuse ID --to NAME") }
        let decisions: [String: Consent.Decision] = ["request": .requested, "grant": .granted, "refuse": .refused]
        guard let decision = decisions[verb] else { throw UsageError("unknown consent command \"\(verb)\" (request, grant, refuse)") }
        guard let id = arguments.positional() else { throw UsageError("name the H2 report: ilo consent \(verb) ID --to NAME") }
        guard let to = try arguments.option("to") else { throw UsageError("name who the report would go to: --to IDENTITY or --to authority:CODE") }
        let recipients = to.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let reason = try arguments.option("reason")
        let requestedBy = try arguments.option("requested-by")
        if decision == .requested, requestedBy != nil { throw UsageError("--requested-by answers a request: use it with grant or refuse") }
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()

        guard let signer = loadSigner(options) else { return Exit.failed }
        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            defer { client.close() }
            // The report itself: its country and priority carry over, and ilo can say early when it is not H2.
            let held = try client.request(.get, ["id": .string(id)]).body["report"] ?? .null
            if let handling = held["handling"]?.stringValue, handling != "H2" {
                printError("report \(id) is \(handling), not H2: consent applies only to H2 reports")
                return Exit.failed
            }
            let draft = Consent.draft(decision, about: held, to: recipients, requestedBy: decision == .requested ? nil : requestedBy, reason: reason, now: Timestamp.nowMilliseconds())
            guard let signed = sign(draft, with: signer) else { return Exit.failed }
            let answer = try client.request(.publish, ["report": signed.document])
            let consentID = answer.body["id"]?.stringValue ?? signed.id.description
            if json {
                print(JSONValue.object(["id": .string(consentID), "about": .string(id), "decision": .string(decision.rawValue)]).encodedString())
            } else {
                print(consentID)
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}

/// The user's signer for a document ilo writes (a consent, a register entry), or nil after saying why.
func loadSigner(_ options: ClientOptions) -> AuthorSigner? {
    do throws(AuthorSigner.Failure) {
        return try AuthorSigner.load(options)
    } catch {
        printError("nothing sent: \(error)")
        return nil
    }
}

/// `draft` completed and signed, or nil after printing every problem.
func sign(_ draft: JSONValue, with signer: AuthorSigner) -> Report? {
    do throws(AuthorSigner.Failure) {
        return try signer.complete(draft)
    } catch {
        printError("nothing sent: \(error)")
        return nil
    }
}

