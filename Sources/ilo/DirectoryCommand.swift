import Foundation
import ILONet
import ILOClient

/// `ilo directory`: the deployment register — who is deployed where, for whom.
enum DirectoryCommand {
    static let help = """
        usage: ilo directory [--country CC] [--state CC] [--as-of YYYY-MM-DD] [--json]
               ilo directory export [--as-of YYYY-MM-DD] [--country CC] [--state CC] --format csv|md

        The deployment register as your node holds it: every identity a deploying
        authority registered, with its role, state, authority, posts, function, how
        long, the states it also represents (joint deployment, Regulation (EU)
        2019/1240 Art. 6) and where it reads. Every identity of the network may read
        it; it holds people's work identities, not personal data beyond them
        (docs/ACCESS.md §6). Shown: the deployments in force on --as-of (default today).

          --country CC  posted to this country (the local network, Art. 5)
          --state CC    deployed by, or representing, this state
          --json        the entries as the node sent them
          export        the list of deployed liaison officers (Art. 8): one row per post,
                        columns country, post, state, authority, function, from, until,
                        represents; CSV (RFC 4180) or a Markdown table

        examples:
          ilo directory --country LY
          ilo directory export --as-of 2026-12-31 --format csv > ilo-list.csv
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let country = try arguments.option("country")
        let state = try arguments.option("state")
        let asOf = try arguments.option("as-of")
        let format = try arguments.option("format")
        let options = try ClientProfile.resolve(&arguments)
        let verb = arguments.positional()
        try arguments.finish()
        guard verb == nil || verb == "export" else { throw UsageError("unknown directory command \"\(verb!)\" (export)") }
        if let asOf, ReportDate.parse(asOf) == nil { throw UsageError("--as-of: \"\(asOf)\" is not a date like 2026-12-31") }
        if verb == "export", !["csv", "md"].contains(format ?? "") { throw UsageError("ilo directory export needs --format csv or --format md") }
        if verb == nil, format != nil { throw UsageError("--format goes with export: ilo directory export --format csv") }
        let day = asOf ?? String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds()).prefix(10))
        do throws(ClientError) {
            let client = try connect(options)
            let answer = try client.request(.directory).body
            client.close()
            if json && verb == nil {
                print((answer["entries"] ?? []).prettyString())
                return Exit.ok
            }
            let entries = Directory.select(Directory.entries(answer), on: day, country: country, state: state)
            if verb == "export" {
                print(Directory.export(entries, format: format!), terminator: "")
            } else if entries.isEmpty {
                print("nobody in the deployment register matches, on \(day)")
            } else {
                print(Directory.table(entries), terminator: "")
            }
            if answer["more"] == .bool(true) { printError("the register is larger than one answer; these are the first entries") }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}

/// `ilo deploy`: a deploying authority registers one of its people, or ends a deployment.
enum DeployCommand {
    static let help = """
        usage: ilo deploy IDENTITY --from YYYY-MM-DD --reads-at NODE [--role officer|board|authority]
                   [--post CC[:PLACE],...] [--until YYYY-MM-DD] [--function TEXT] [--display-name NAME]
                   [--represents CC:ARRANGEMENT,...] [--json]
               ilo deploy end IDENTITY --on YYYY-MM-DD [--json]
               ilo deploy import --file LIST.csv [--json]

        For a deploying authority (role authority): writes an entry of the deployment
        register for one of your own people — your certificate's authority (O) and
        state (C) are theirs — signed with your key and sent to every node of the
        network. A later entry for the same identity replaces the earlier one (entries
        are numbered: this command reads the one in force and numbers the next);
        `ilo deploy end` ends a deployment on a day (an entry too). Nodes use the
        register to check `on_behalf_of` (a report on behalf of a state the officer
        does not represent is refused) and addressees (an unknown one is refused with
        a "did you mean"); docs/ACCESS.md §6.

          --role          officer (default), board or authority
          --post          the countries of the post, with the place: LY:Tripoli,TN:Tunis
          --from/--until  the deployment's first and last day
          --function      e.g. "immigration liaison officer"
          --display-name  the name the directory shows (leave it out for a pseudonymous id)
          --represents    states also represented (joint deployment, Art. 6), each with the
                          arrangement's reference: AT:BMI-BPOL-2026/14
          --reads-at      the node where they read their reports

        import    one entry per row of an RFC 4180 CSV file whose header names the
                  columns: identity, from and reads_at (required), role, post,
                  until, function, display_name, represents (values written as
                  for the flags above); an authority or state column, if there
                  is one, must be yours: an authority writes entries for its own
                  people only. Every row is checked first (errors as FILE:LINE,
                  nothing sent); then each entry is signed and sent, its result
                  printed as FILE:LINE. Exit 1 when a node refused any.

        examples:
          ilo deploy officer.de.mueller --post LY:Tripoli --from 2026-09-01 --until 2027-08-31 \\
              --function "immigration liaison officer" --represents AT:BMI-BPOL-2026/14 --reads-at post-tripoli.ilonet.example
          ilo deploy end officer.de.mueller --on 2027-03-31
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        var values: [String: String] = [:]
        for name in ["role", "post", "from", "until", "function", "display-name", "represents", "reads-at", "on"] {
            if let value = try arguments.option(name) { values[name] = value }
        }
        let file = try arguments.option("file")
        let options = try ClientProfile.resolve(&arguments)
        var identity = arguments.positional()
        if identity == "import" {
            try arguments.finish()
            guard let file else { throw UsageError("name the list: ilo deploy import --file LIST.csv") }
            return try importList(file, options: options, json: json)
        }
        if file != nil { throw UsageError("--file is for ilo deploy import") }
        let ending = identity == "end"
        if ending { identity = arguments.positional() }
        try arguments.finish()
        guard let identity else { throw UsageError("name the identity: ilo deploy IDENTITY … (its certificate's CN)") }
        for name in ["from", "until", "on"] {
            if let day = values[name], ReportDate.parse(day) == nil { throw UsageError("--\(name): \"\(day)\" is not a date like 2026-12-31") }
        }
        guard let signer = loadSigner(options) else { return Exit.failed }
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            var body: [String: JSONValue]
            // The entry in force, if any: the new one is numbered after it (docs/ACCESS.md §6.1).
            let current = Directory.entries(try client.request(.directory, ["identity": .string(identity)]).body).first { $0.identity == identity }
            if ending {
                guard let day = values["on"] else { throw ClientError.malformed("--on") }
                guard let current, case .object(var fields) = current.json else {
                    printError("\(identity) has no entry in the deployment register: there is no deployment to end")
                    return Exit.failed
                }
                for name in ["entry", "written", "sequence"] { fields[name] = nil }
                fields["ended"] = true
                fields["until"] = .string(day)
                body = fields
            } else {
                guard let from = values["from"], let readsAt = values["reads-at"] else {
                    throw ClientError.malformed("--from and --reads-at")
                }
                body = entryBody(identity: identity, from: from, readsAt: readsAt, values: values, signer: signer)
            }
            guard let (id, headline) = try publish(body, current: current, client: client, signer: signer) else { return Exit.failed }
            print(json ? JSONValue.object(["id": .string(id), "headline": .string(headline)]).encodedString() : "\(id)  \(headline)")
            return Exit.ok
        } catch .malformed(let what) {
            printError("\(ending ? "ilo deploy end needs" : "ilo deploy needs") \(what)")
            return Exit.usage
        } catch {
            return exitFor(error)
        }
    }

    /// An entry's body for one of the signer's own people (`values`: the flags' names, without --).
    static func entryBody(identity: String, from: String, readsAt: String, values: [String: String], signer: AuthorSigner) -> [String: JSONValue] {
        var body: [String: JSONValue] = [
            "identity": .string(identity), "role": .string(values["role"] ?? "officer"), "state": .string(signer.origin.state),
            "authority": .string(signer.origin.authority), "from": .string(from), "reads_at": .string(readsAt),
        ]
        if let until = values["until"] { body["until"] = .string(until) }
        if let function = values["function"] { body["function"] = .string(function) }
        if let name = values["display-name"] { body["display_name"] = .string(name) }
        body["posts"] = .array((values["post"] ?? "").split(separator: ",").map { item -> JSONValue in
            let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            var post: [String: JSONValue] = ["country": .string(parts[0])]
            if parts.count > 1 { post["place"] = .string(parts[1]) }
            return .object(post)
        })
        body["represents"] = .array((values["represents"] ?? "").split(separator: ",").map { item -> JSONValue in
            let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return ["state": .string(parts[0]), "arrangement": .string(parts.count > 1 ? parts[1] : "")]
        })
        return body
    }

    /// Numbers `body` after the entry in force, signs it and sends it; the entry's id and headline
    /// (nil: it could not be signed, and `sign` said why).
    static func publish(
        _ body: [String: JSONValue], current: RegisterEntry?, client: ClientConnection, signer: AuthorSigner
    ) throws(ClientError) -> (id: String, headline: String)? {
        var body = body
        body["sequence"] = .integer((current?.sequence ?? 0) + 1)
        let draft = Deployment.draft(.object(body), now: Timestamp.nowMilliseconds())
        guard let signed = sign(draft, with: signer) else { return nil }
        let answer = try client.request(.publish, ["report": signed.document])
        return (answer.body["id"]?.stringValue ?? signed.id.description, signed.headline)
    }

    /// The columns `ilo deploy import` reads, and the flag each stands for.
    static let importColumns: [String: String] = [
        "identity": "identity", "from": "from", "reads_at": "reads-at", "role": "role", "post": "post", "until": "until", "function": "function",
        "display_name": "display-name", "represents": "represents", "authority": "authority", "state": "state",
    ]

    /// `ilo deploy import --file LIST.csv`: every row checked, then one signed entry per row.
    static func importList(_ path: String, options: ClientOptions, json: Bool) throws(UsageError) -> Int32 {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            printError("\(path): cannot be read as UTF-8 text; export the list as CSV (UTF-8)")
            return Exit.usage
        }
        let records: [(line: Int, fields: [String])]
        do throws(CSV.ParseError) {
            records = try CSV.parse(text)
        } catch {
            printError("\(path):\(error.line): \(error.message)")
            return Exit.usage
        }
        guard let header = records.first else {
            printError("\(path): empty; the first line names the columns (identity,from,reads_at,…)")
            return Exit.usage
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for name in names where importColumns[name] == nil {
            printError("\(path):\(header.line): unknown column \"\(name)\" (\(importColumns.keys.sorted().joined(separator: ", ")))")
            return Exit.usage
        }
        for required in ["identity", "from", "reads_at"] where !names.contains(required) {
            printError("\(path):\(header.line): the column \(required) is required")
            return Exit.usage
        }
        guard let signer = loadSigner(options) else { return Exit.failed }
        var rows: [(line: Int, values: [String: String])] = []
        var problems: [String] = []
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                problems.append("\(path):\(record.line): \(record.fields.count) fields; the header names \(names.count)")
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(names, record.fields) where !value.trimmingCharacters(in: .whitespaces).isEmpty {
                values[importColumns[name]!] = value.trimmingCharacters(in: .whitespaces)
            }
            for (flag, mine) in [("authority", signer.origin.authority), ("state", signer.origin.state)] {
                if let value = values[flag], value != mine {
                    problems.append("\(path):\(record.line): \(flag) \(value) is not yours (\(mine)): an authority writes register entries for its own people only")
                }
            }
            for required in ["identity", "from", "reads-at"] where values[required] == nil {
                problems.append("\(path):\(record.line): \(required.replacingOccurrences(of: "-", with: "_")) is empty")
            }
            for name in ["from", "until"] {
                if let day = values[name], ReportDate.parse(day) == nil { problems.append("\(path):\(record.line): \(name) \"\(day)\" is not a date like 2026-12-31") }
            }
            rows.append((record.line, values))
        }
        guard problems.isEmpty else {
            for problem in problems { printError(problem) }
            printError("nothing was sent: correct the list and import it again")
            return Exit.usage
        }
        var refused = 0
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            for row in rows {
                let identity = row.values["identity"]!
                do throws(ClientError) {
                    let current = Directory.entries(try client.request(.directory, ["identity": .string(identity)]).body).first { $0.identity == identity }
                    let body = entryBody(identity: identity, from: row.values["from"]!, readsAt: row.values["reads-at"]!, values: row.values, signer: signer)
                    guard let (id, headline) = try publish(body, current: current, client: client, signer: signer) else { return Exit.failed }
                    print(json ? JSONValue.object(["line": .integer(Int64(row.line)), "id": .string(id), "headline": .string(headline)]).encodedString()
                          : "\(path):\(row.line): \(id)  \(headline)")
                } catch .refused(let refusal) {
                    refused += 1
                    printError("\(path):\(row.line): \(identity) refused: \(refusal.code.rawValue): \(refusal.message)")
                }
            }
        } catch {
            return exitFor(error)
        }
        return refused == 0 ? Exit.ok : Exit.failed
    }
}
