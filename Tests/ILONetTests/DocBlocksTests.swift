import Foundation
import Testing
@testable import ILONet

/// Every ```sh block of README.md and docs/*.md is run as written, in a sandbox
/// (Support/Sandbox.swift: a copy of config/, certs-example/, scripts/ and
/// bench/ with its own var/ and ports). The comment line before each block says
/// how:
///
///     <!-- run: CONTEXT[; DIRECTIVE]... -->
///
/// CONTEXT
/// - `sandbox`   nothing is started first
/// - `hub`       `scripts/run-hub.sh` runs first (the README's hub on 7443)
/// - `network`   `scripts/network.sh start` and `register` run first
/// - `installed` a node installed as docs/OPERATIONS.md §3 says, under the
///               sandbox: /etc/ilonet/, /var/lib/ilonet/ and /backup/ are
///               directories of the sandbox, and `systemctl start|stop|reload
///               ilod` starts, stops and reloads that node
/// - `demo`      the block is `scripts/demo.sh`, which DemoTests runs
/// - `ci`        .ci/run runs the block's short form
/// - `no (WHY)`  not run; only the installation block (root and systemd)
///
/// DIRECTIVE
/// - `profile NAME=IDENTITY@PORT` a profile in the sandbox's profiles.conf
/// - `short LONG => SHORT` the short form of a long run
/// - `setup report|h2-report` sends a report first; `$ID` is its id
/// - `editor FILE` `$EDITOR` "fills in" a file by copying FILE over it
/// - `background COMMAND` started in the background, waited for ("node ready")
/// - `self COMMAND` not run: it is the test suite itself
///
/// A command whose comment says "refused" must fail; every other one must
/// succeed. The only other changes are the example's ports (the sandbox's) and
/// the README's build line (this build's binaries are on PATH).
@Suite(.serialized) struct DocBlocksTests {
    struct Block: Sendable, CustomTestStringConvertible {
        let document: String
        let line: Int
        let text: String
        let marker: String
        var testDescription: String { "\(document):\(line)" }

        /// The context's name: the first word (`no (WHY)` gives "no").
        var context: String { marker.split(separator: ";").first?.split(separator: " ").first.map(String.init) ?? "" }
        func directives(_ name: String) -> [String] {
            marker.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
        }
    }

    /// Every ```sh block with the `<!-- run: … -->` line before it ("" if none).
    static let blocks: [Block] = DocCommandsTests.documents.flatMap { document -> [Block] in
        let text = (try? String(contentsOfFile: TestEnvironment.repository.path + "/" + document, encoding: .utf8)) ?? ""
        let lines = text.components(separatedBy: "\n")
        var blocks: [Block] = []
        var index = 0
        while index < lines.count {
            guard lines[index].hasPrefix("```sh") else { index += 1; continue }
            let previous = index > 0 ? lines[index - 1] : ""
            let marker = previous.firstMatch(of: /^<!-- run: (.*) -->$/).map { String($0.1) } ?? ""
            var body: [String] = []
            var end = index + 1
            while end < lines.count, !lines[end].hasPrefix("```") { body.append(lines[end]); end += 1 }
            blocks.append(Block(document: document, line: index + 2, text: body.joined(separator: "\n"), marker: marker))
            index = end + 1
        }
        return blocks
    }

    static func block(_ document: String, containing text: String) -> Block? {
        blocks.first { $0.document == document && $0.text.contains(text) }
    }

    @Test func everyShellBlockSaysHowItIsRun() {
        let known = ["sandbox", "hub", "network", "installed", "demo", "ci"]
        for block in DocBlocksTests.blocks {
            #expect(known.contains(block.context) || (block.context == "no" && block.marker.hasPrefix("no (")),
                    "\(block.testDescription): a ```sh block needs a <!-- run: CONTEXT --> line before it (DocBlocksTests.swift)")
        }
        // Only the installation (root, systemd) is not run.
        let notRun = DocBlocksTests.blocks.filter { $0.context == "no" }
        #expect(notRun.count == 1 && notRun.first?.text.contains("systemctl enable") == true, "\(notRun.map(\.testDescription))")
        #expect(DocBlocksTests.blocks.count >= 20)
    }

    @Test func theDemoAndTheBenchmarkBlocksAreRunWhereTheySay() throws {
        for block in DocBlocksTests.blocks where block.context == "demo" {
            #expect(DocCommandsTests.commandLines(block.text).map { $0.trimmingCharacters(in: .whitespaces) } == ["scripts/demo.sh"])
        }
        let ci = try String(contentsOfFile: TestEnvironment.repository.path + "/.ci/run", encoding: .utf8)
        for block in DocBlocksTests.blocks where block.context == "ci" {
            let short = DocCommandsTests.commandLines(block.text).filter { $0.contains("--smoke") }
            #expect(!short.isEmpty && short.allSatisfy { ci.contains("\n" + $0.trimmingCharacters(in: .whitespaces) + "\n") }, "\(block.testDescription)")
        }
    }

    @Test(arguments: blocks.filter { ["sandbox", "hub", "network", "installed"].contains($0.context) })
    func runsAsWritten(_ block: Block) throws {
        let result = try DocBlocksTests.run(block)
        #expect(result.status == 0, "\(block.testDescription) failed:\n\(result.output)")
        // What some blocks promise, beyond succeeding.
        switch block.testDescription {
        case _ where block.text.contains("swift build -c release && export PATH"):
            try DocBlocksTests.checkWalkthrough(result.stdout)
        case _ where block.text.contains("scripts/network.sh start"):
            #expect(result.stdout.contains("Departures from Zuwara rising"), "\(result.stdout)")
            #expect(result.stdout.contains("officer.de.mueller"), "\(result.stdout)")
        case _ where block.text.contains("make-pki.sh ~/ilonet-ca list"):
            #expect(result.stdout.contains("officer.es.garcia") && result.stdout.contains("revoked"), "\(result.stdout)")
            // A CA made for a real network holds no example identities (issue 27).
            #expect(!result.stdout.contains("officer.de.mueller") && !result.stdout.contains("admin.hub"), "\(result.stdout)")
        default: break
        }
    }

    /// The README walkthrough's comments: Rossi's implicit subscription, France's
    /// contact point's, the report, Rossi's inbox, the border report, the board
    /// member's digest, and the contact point's inbox as JSON.
    static func checkWalkthrough(_ stdout: String) throws {
        #expect(stdout.contains("+/LY/#"))
        #expect(stdout.contains("subscribed to #"))
        // The board member's digest counts both reports and lists neither (nothing is addressed to him).
        #expect(stdout.contains("2 reports ("), "the board's digest preview counts the two reports: \(stdout)")
        #expect(stdout.contains("Departures from Zuwara rising"))
        #expect(stdout.contains("valid: border report about TN"))
        guard let start = stdout.range(of: "\n[", options: .backwards) else {
            Issue.record("the walkthrough printed no JSON inbox: \(stdout)")
            return
        }
        let boardInbox = try JSONValue(parsing: String(stdout[start.lowerBound...].dropFirst()))
        #expect(Set(boardInbox.arrayValue?.compactMap { $0["headline"]?.stringValue } ?? []) == [
            "Departures from Zuwara rising", "Large group at Ras Ajdir, crossing closed since 02:00",
        ])
    }

    /// Runs one block in a fresh sandbox, in its context.
    static func run(_ block: Block) throws -> (status: Int32, output: String, stdout: String, stderr: String) {
        let sandbox = try Sandbox(name: block.document.replacingOccurrences(of: "/", with: "-") + "-\(block.line)")
        let root = sandbox.path
        var environment: [String: String] = [:]

        // Profiles, with the sandbox's ports and certificates.
        var profiles = ""
        for profile in block.directives("profile") {
            guard let match = profile.firstMatch(of: /^([a-z]+)=([a-z-]+)@([0-9]+)$/) else {
                Issue.record("\(block.testDescription): bad profile directive \(profile)")
                continue
            }
            profiles += """
                [\(match.1)]
                node  127.0.0.1:\(sandbox.port(Int(match.3)!))
                cert  \(root)/certs-example/\(match.2).crt
                key   \(root)/certs-example/\(match.2).key
                ca    \(root)/certs-example/ca.crt


                """
        }
        try FileManager.default.createDirectory(atPath: root + "/home/.config/ilo", withIntermediateDirectories: true)
        try profiles.write(toFile: root + "/home/.config/ilo/profiles.conf", atomically: true, encoding: .utf8)
        if let file = block.directives("editor").first {
            try "#!/bin/sh\ncp '\(root)/\(file)' \"$1\"\n".write(toFile: root + "/editor", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/editor")
            environment["EDITOR"] = root + "/editor"
        }

        // The block: ports mapped, short forms, the build line, refusals and background commands.
        var text = sandbox.mapPorts(block.text)
            .replacingOccurrences(of: "swift build -c release && export PATH=$PWD/.build/release:$PATH", with: ": this build is on PATH already")
        for short in block.directives("short") {
            let parts = short.components(separatedBy: " => ")
            text = text.replacingOccurrences(of: parts[0], with: parts.count > 1 ? parts[1] : parts[0])
        }
        if block.context == "installed" {
            for directory in ["/etc/ilonet/", "/var/lib/ilonet/", "/backup/"] {
                text = text.replacingOccurrences(of: directory, with: root + directory)
            }
        }
        var script = ""
        var pending: [String] = []
        for line in text.components(separatedBy: "\n") {
            pending.append(line)
            if line.hasSuffix("\\") { continue }
            let logical = pending.joined(separator: "\n")
            let command = logical.components(separatedBy: " # ").first ?? logical
            let trimmed = command.trimmingCharacters(in: .whitespaces)
            if block.directives("self").contains(where: { trimmed.hasPrefix($0) }) {
                script += ": not run here, it is the test suite itself: \(trimmed)\n"
            } else if block.directives("background").contains(where: { trimmed.hasPrefix($0) }) {
                script += "background \(command)\n"
            } else if logical.contains("# refused") {
                script += "if \(command)\nthen echo \"DOC: expected a refusal: \(trimmed.replacingOccurrences(of: "\"", with: "'"))\" >&2; exit 90; fi\n"
            } else {
                script += logical + "\n"
            }
            pending = []
        }

        let setup: String
        switch block.context {
        case "hub":
            setup = "background scripts/run-hub.sh"
        case "network":
            setup = """
                scripts/network.sh start >/dev/null
                scripts/network.sh register >/dev/null
                for node in post-tripoli post-tunis; do
                    wait_for '[ "$(sqlite3 var/network/'$node'/store.sqlite "SELECT count(*) FROM register")" -ge 5 ]'
                done
                """
        case "installed":
            setup = """
                mkdir -p etc/ilonet var/lib/ilonet backup
                sed -e 's#^store .*#store            \(root)/var/lib/ilonet/store.sqlite#' \\
                    -e 's#\\.\\./certs-example/#\(root)/certs-example/#' config/hub.conf > etc/ilonet/node.conf
                systemctl() {  # systemctl start|stop|reload ilod, for the node installed in this sandbox
                    case "$1" in
                    start) background "$ILOD" --config "\(root)/etc/ilonet/node.conf" ;;
                    stop) for pid in $(cat var/background.pids); do kill "$pid" 2>/dev/null || true; done
                          for pid in $(cat var/background.pids); do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done ;;
                    reload) for pid in $(cat var/background.pids); do kill -HUP "$pid" 2>/dev/null || true; done ;;
                    esac
                }
                systemctl start ilod
                """
        default:
            setup = ""
        }
        var reports = ""
        let hubPort = sandbox.port(7443)
        switch block.directives("setup").first {
        case "report":
            reports = """
                ID=$(ilo send --file config/demo/smuggling-zuwara.json --node 127.0.0.1:\(hubPort) --ca certs-example/ca.crt \\
                    --cert certs-example/officer-de.crt --key certs-example/officer-de.key)
                """
        case "h2-report":
            reports = """
                ilo subscribe '#' --digest daily --node 127.0.0.1:\(sandbox.port(7601)) --ca certs-example/ca.crt \\
                    --cert certs-example/board-fr.crt --key certs-example/board-fr.key >/dev/null
                ID=$(ilo send --file config/demo/smuggling-sabratha.json --handling H2 --addressees board.fr.martin \\
                    --node 127.0.0.1:\(sandbox.port(7611)) --ca certs-example/ca.crt \\
                    --cert certs-example/officer-de.crt --key certs-example/officer-de.key)
                wait_for '[ "$(sqlite3 var/network/board/store.sqlite "SELECT count(*) FROM reports WHERE id = '"'$ID'"'")" = 1 ]'
                """
        case .some(let other):
            Issue.record("\(block.testDescription): unknown setup \(other)")
        case nil: break
        }

        let whole = """
            set -e
            mkdir -p var
            : > var/background.pids
            # until_true COMMAND...: waits up to 20 s for it to succeed; wait_for 'SHELL TEXT': the same, evaluated each time
            until_true() { for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "DOC: gave up waiting for $*" >&2; return 1; }
            wait_for() { until_true eval "$1"; }
            # background COMMAND: started with its output in var/background-N.log, ready when it logs "node ready"
            background() {
                local log=var/background-$(wc -l < var/background.pids).log
                "$@" >"$log" 2>&1 &
                echo $! >> var/background.pids
                until_true grep -q 'msg="node ready"' "$log" || { cat "$log" >&2; return 1; }
            }
            finish() {
                for pid in $(cat var/background.pids 2>/dev/null) $(jobs -p); do kill "$pid" 2>/dev/null || true; done
                scripts/network.sh stop >/dev/null 2>&1 || true
            }
            trap finish EXIT
            \(setup)
            \(reports)
            # ---- \(block.testDescription), as written
            \(script)
            """
        try whole.write(toFile: root + "/block.sh", atomically: true, encoding: .utf8)
        return sandbox.bash("bash block.sh", environment: environment)
    }
}
