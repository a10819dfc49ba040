import Foundation
import ILONet
import ILOClient

/// `ilo send` and `ilo validate`: assemble a report from a file and flags, check it, send it.
enum SendCommand {
    static let envelopeHelp = """
          --kind         smuggling | return | border
          --country      subject country, ISO 3166-1 alpha-2 (e.g. LY), or several
          --headline     one line shown in inboxes and digests
          --priority     flash | immediate | priority | routine (default routine)
          --handling     SIENA handling code H0 | H1 | H2 | H3 (default H1)
          --addressees   comma-separated identities or authority:NAME (required for H2, H3)
          --conditions   the restrictions of an H3 report
          --reliability  source reliability, required: A | B | C | X (Europol Regulation Art. 29(1))
          --accuracy     information accuracy, required: 1 | 2 | 3 | 4 (Europol Regulation Art. 29(2))
          --level        what it is for, required: operational | strategic | both (Art. 3(4))
          --personal-data none (default) | return-identification | return-passenger-list |
                         smuggling-trafficking: the Art. 10(3) category carried
          --erase-by     YYYY-MM-DD, required with personal data
          --on-behalf-of comma-separated participating states (joint deployment)
          --follow-up-of a report of the same event this one updates (held at the node,
                         one you may read); it joins that report's event (ilo event)
          --related      comma-separated ids of related reports that are not updates
                         (at most 20; links only)
          --corrects     id of a report of yours this one replaces (ilo correct): it goes
                         to exactly that report's recipients, which is then erased
          --expires      UTC time after which it is no longer delivered
          --file FILE    the report or just its body, JSON (// comments allowed); "-" for stdin
        """

    static let help = """
        usage: ilo send [--file FILE] [envelope flags] [--attach FILE [--caption TEXT]]... [--json]

        Sends one report and prints its id. The file (or standard input when it is
        not a terminal) holds a whole report, as `ilo template` prints it, or only its
        body; flags set envelope fields and win over the file. The report is checked
        and completed here (origin from your certificate, defaults, topic, expires),
        signed with your key (--key), kept in this computer's outbox (ilo outbox)
        with its final id before anything goes on the network, and checked again by
        every node, which refuses it if the signature fails.

        Exit 0: the node acknowledged it (committed to its store). Exit 4: the node
        could not be reached, was busy, or its acknowledgement did not come back; the
        id is printed all the same and the report waits on this computer, to be sent
        with the same id and bytes by `ilo outbox flush` or by the next ilo command
        that reaches the node, so it is never delivered twice. Exit 1: the node
        refused it for good (the reason is printed; ilo outbox lists it), or your
        certificate is not accepted (expired, revoked). The free text of a
        report without personal data is screened for it (docs/REPORTS.md §2.1):
        identifiers (e-mail, phone, IBAN, document numbers, …) refuse it; likely
        names and addresses print a "warning:" line and the report is still sent.

        \(envelopeHelp)
          --json         print {"id": ..., "duplicate": ..., "file_bytes_sent": ...} instead of the id

        Files (docs/REPORTS.md §1.1): --attach FILE, up to 10 times, each optionally
        followed by --caption TEXT (what it shows; screened like the report's text).
        A JPEG, PNG or PDF, told by its first bytes; 10 MiB each at most (the node's
        limits.max-attachment-bytes), 25 MiB in all. ilo removes an image's metadata
        (EXIF with the GPS position and camera serial, XMP, IPTC, comments) before
        hashing it, and refuses a PDF with JavaScript, embedded files, launch
        actions or forms. A file showing a person or an identity document is
        personal data: in a report with --personal-data CATEGORY every file counts
        as such; in a report without, ilo asks you to confirm that none does
          --confirm-no-personal-data   the confirmation, for scripts
        The files go up in chunks before the report, each acknowledged; after a cut
        the next ilo command resumes from the last acknowledged chunk. A report sent
        meanwhile (another ilo send) goes out between two chunks, on the same link.

        examples:
          ilo template smuggling > report.json   # fill it in, then
          ilo send --file report.json
          ilo send --file return.json --personal-data return-identification --erase-by 2027-06-30 \
                   --addressees authority:NG-EMB --attach passport.jpg --caption "bio-data page"
          echo '{"returnees": 40, "nationality": "NG", "travel_document_status": "third-country-travel-document",
                 "readmission_cooperation": {"assessment": "partial"}}' |
            ilo send --kind return --country NG --headline "Charter flight planned for March" \
                     --reliability A --accuracy 1 --level operational
        """

    static let validateHelp = """
        usage: ilo validate FILE [envelope flags] [--json]

        Checks a report offline, exactly as a node would, and prints every problem
        with its field path, or the completed report (--json). Exit 0 when valid, 1 when not.
        Uses your certificate (--cert, ILO_CERT or the profile) for the origin, if given.
        The personal-data screen runs as on the node (docs/REPORTS.md §2.1): likely
        names and addresses in the free text of a report without personal data print "warning:" lines
        on standard error without making it invalid.

        \(envelopeHelp)

        example:
          ilo validate report.json
        """

    static func run(_ arguments: inout Arguments, validateOnly: Bool) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print((validateOnly ? validateHelp : help) + "\n\n" + connectionHelp)
            return Exit.ok
        }
        var file = try arguments.option("file")
        if validateOnly, file == nil { file = arguments.positional() }
        let flags = try ReportDraft.flagValues(&arguments)
        let json = arguments.flag("json")
        let attach = validateOnly ? [] : try arguments.repeated("attach", follower: "caption")
        let confirmed = !validateOnly && arguments.flag("confirm-no-personal-data")

        let fileValue: JSONValue?
        if let file, file != "-" {
            guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read \(file)") }
            guard let value = parse(data, name: file) else { return Exit.failed }
            fileValue = value
        } else if file == "-" || (isatty(0) == 0 && !validateOnly) {
            guard let value = parse(FileHandle.standardInput.readDataToEndOfFile(), name: "standard input") else { return Exit.failed }
            fileValue = value
        } else if validateOnly {
            throw UsageError("name the file to check: ilo validate FILE")
        } else {
            fileValue = nil
        }
        let document = try ReportDraft.assemble(file: fileValue, flags: flags)

        if validateOnly {
            let (values, _) = try ClientProfile.values(&arguments)
            try arguments.finish()
            let sender = values["cert"].flatMap { try? PeerIdentity(certificateFile: $0) }.map(Origin.init)
                ?? Origin(officer: "(you)", authority: "(your authority)", state: "XX")
            do throws(ReportValidationError) {
                let report = try Report.validate(document, sender: sender)
                printScreenWarnings(report)
                print(json ? report.document.prettyString() : "valid: \(report.kind.rawValue) report about \(report.country), topic \(report.topic)")
                return Exit.ok
            } catch {
                printError("the report is not valid:\n" + error.issues.map { "  \($0)" }.joined(separator: "\n"))
                return Exit.failed
            }
        }

        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        var drafted = document
        let files = try attachments(attach, to: &drafted, confirmed: confirmed)
        let signed: Report
        do throws(AuthorSigner.Failure) {
            signed = try AuthorSigner.load(options).complete(drafted)
        } catch {
            printError("report not sent: \(error)")
            return Exit.failed
        }
        printScreenWarnings(signed)
        // Kept on this computer, with its final id and signature, before any
        // network I/O: whatever happens to the link, it is sent again as is.
        let outbox: Outbox
        do throws(OutboxError) {
            guard let opened = try Outbox(for: options, create: true) else { throw OutboxError(path: "?", "cannot be created") }
            outbox = opened
            try outbox.add(signed, files: files.map(\.content))
        } catch {
            printError("report not sent: cannot keep a copy on this computer first (\(error)); nothing was sent")
            return Exit.failed
        }
        let id = signed.id.description
        // A report with files cannot go with HELLO: its files go first.
        return deliver(id, outbox: outbox, options: options, json: json, document: files.isEmpty ? Optional(signed.document) : Optional<JSONValue>.none)
    }

    /// The files of `--attach`, prepared (type checked, metadata stripped,
    /// hashed) and listed in the document's `attachments`; their bytes.
    static func attachments(_ given: [(value: String, follower: String?)], to document: inout JSONValue, confirmed: Bool) throws(UsageError) -> [AttachmentDraft] {
        guard !given.isEmpty else { return [] }
        guard given.count <= Attachment.maximumCount else { throw UsageError("--attach: at most \(Attachment.maximumCount) files per report") }
        let personal = (document["personal_data"]?.stringValue ?? "none") != "none"
        if !personal && !confirmed {
            let names = given.map(\.value).joined(separator: ", ")
            guard let answer = askTerminal("Does \(names) show a person or an identity document? Then it is personal data: send it in a report "
                + "with --personal-data CATEGORY, --addressees and --erase-by. Shows no person and no identity document? [y/N] ")
            else {
                throw UsageError(
                    "the report has no personal data, so its files must show no person and no identity document: confirm with --confirm-no-personal-data, "
                        + "or send them in a report with --personal-data CATEGORY")
            }
            guard answer.lowercased().hasPrefix("y") else {
                throw UsageError("not sent: send a file showing a person or an identity document in a report with --personal-data CATEGORY, --addressees and --erase-by")
            }
        }
        var drafts: [AttachmentDraft] = []
        for (path, caption) in given {
            let draft = try AttachmentDraft.prepare(path: path, caption: caption, personalData: personal)
            for note in draft.notes { printError(note) }
            drafts.append(draft)
        }
        guard case .object(var fields) = document else { return drafts }
        fields["attachments"] = .array(drafts.map { draft in
            var entry: [String: JSONValue] = [
                "sha256": .string(draft.attachment.sha256), "media_type": .string(draft.attachment.mediaType.rawValue),
                "bytes": .integer(Int64(draft.attachment.bytes)), "personal_data": .bool(draft.attachment.personalData),
            ]
            if let caption = draft.attachment.caption { entry["caption"] = .string(caption) }
            return .object(entry)
        })
        document = .object(fields)
        return drafts
    }

    /// Asks on the terminal (not standard input, which may hold the report); nil without one.
    static func askTerminal(_ question: String) -> String? {
        guard let tty = FileHandle(forUpdatingAtPath: "/dev/tty") else { return nil }
        defer { try? tty.close() }
        tty.write(Data(question.utf8))
        var line: [UInt8] = []
        while true {
            let byte = tty.readData(ofLength: 1)
            guard let first = byte.first, first != 0x0A else { break }
            line.append(first)
        }
        return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// Sends what waits in the outbox, this report with it, and says what became of this one.
    /// `document`: this report, sent with HELLO in the first flight (one round trip fewer on a long link).
    static func deliver(_ id: String, outbox: Outbox, options: ClientOptions, json: Bool, document: JSONValue? = nil) -> Int32 {
        func queuedHere(_ reason: ClientError, fileBytesSent: Int = 0) -> Int32 {
            try? outbox.markFailed(id, error: reason.description)
            if json {
                print(JSONValue.object(["id": .string(id), "duplicate": false, "queued": false, "queued_here": true, "file_bytes_sent": .integer(Int64(fileBytesSent))]).encodedString())
            } else {
                print(id)
            }
            printError("\(reason)")
            if reason.isCertificateProblem {
                printError("the report is kept on this computer (ilo outbox); it is sent when your certificate is accepted again")
                return Exit.failed
            }
            printError("queued on this computer; will be sent with the same id when the node is reachable: ilo outbox")
            return Exit.queuedHere
        }
        // Another ilo is sending files to the node now: it sends this report between
        // two chunks, on its connection (a new one would queue behind them on the link).
        if let entry = try? outbox.entry(id), (try? JSONValue(parsing: entry.document)).map({ Attachment.list(in: $0).isEmpty }) ?? false,
            outbox.uploadInProgress(), let outcome = waitForUploader(id, outbox: outbox)
        {
            switch outcome.state {
            case .accepted:
                if json {
                    print(JSONValue.object(["id": .string(id), "duplicate": false, "queued": false, "queued_here": false]).encodedString())
                } else {
                    print(id)
                }
                return Exit.ok
            default:
                printError("the node refused it: \(outcome.refusal ?? "?")")
                return Exit.failed
            }
        }
        let client: ClientConnection
        do throws(ClientError) {
            client = try ClientConnection(options, pipelining: document.map { (.publish, ["report": $0]) })
        } catch {
            return queuedHere(error)
        }
        defer { client.close() }
        let result: OutboxFlush.Result
        do throws(OutboxError) {
            result = try OutboxFlush.run(outbox, over: client, pipelined: document == nil ? nil : id)
        } catch {
            printError("\(error); the report may have been sent: ilo outbox and ilo sent show its state")
            return Exit.failed
        }
        let others = result.sent.filter { $0.id != id }.count + result.refused.filter { $0.id != id }.count
        if others > 0 { printError("also sent from this computer's outbox: \(result.summary)") }
        if let refusal = result.refused.first(where: { $0.id == id })?.error {
            return exitFor(.refused(refusal))
        }
        guard let sent = result.sent.first(where: { $0.id == id }) else {
            return queuedHere(result.stoppedBy ?? .connectionClosed, fileBytesSent: result.fileBytesSent)
        }
        // Say so when the report waits for a link: it is safe, but not on its way yet.
        let waiting = (sent.answer["next_hops"]?.arrayValue ?? []).filter { $0["link"]?.stringValue != "up" }
        if !waiting.isEmpty {
            let node = sent.answer["node"]?.stringValue ?? options.node.description
            let hops = waiting.map { hop in
                "\(hop["node"]?.stringValue ?? "?") (link down since \(hop["since"]?.stringValue ?? "?"))"
            }.joined(separator: ", ")
            printError("queued at \(node), waiting for \(hops); it is stored and will be forwarded when the link returns")
        }
        if json {
            print(
                JSONValue.object([
                    "id": .string(id), "duplicate": .bool(sent.duplicate), "queued": .bool(!waiting.isEmpty), "queued_here": false,
                    "file_bytes_sent": .integer(Int64(result.fileBytesSent)),
                ]).encodedString())
        } else {
            print(id)
        }
        return Exit.ok
    }

    /// Waits while another ilo uploads, for it to send report `id` (nil: it did
    /// not within a minute, or stopped uploading first: send it ourselves).
    static func waitForUploader(_ id: String, outbox: Outbox) -> Outbox.Entry? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let entry = try? outbox.entry(id), entry.state != .queued { return entry }
            guard outbox.uploadInProgress() else { return nil }
            usleep(20_000)
        }
        return nil
    }

    /// The report file's JSON, or nil after saying where its syntax breaks
    /// (`FILE:LINE:COLUMN`): a report that is not even JSON is not valid (exit 1).
    static func parse(_ data: Data, name: String) -> JSONValue? {
        let bytes = [UInt8](data)
        do throws(JSONSyntaxError) {
            return try JSONValue(parsing: bytes, allowingComments: true)
        } catch {
            let (line, column) = error.position(in: bytes)
            printError("\(name):\(line):\(column): \(error.reason); the report is not valid JSON (// comments are allowed)")
            return nil
        }
    }
}

extension JSONValue {
    /// The object without `name` (a no-op for other values).
    func removingMember(_ name: String) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members[name] = nil
        return .object(members)
    }
}

/// The screen's warnings (likely names, addresses) on standard error; the report still goes.
private func printScreenWarnings(_ report: Report) {
    for finding in report.screenWarnings { printError("warning: \(finding.issue.description)") }
}
