import Foundation
import Testing
@testable import ILONet

/// The commands the documentation shows: the README's walkthrough is run as
/// written against a real hub; every other `ilo`, `ilod` and `scripts/…` line in
/// a shell block of README.md and docs/*.md is checked against the code (the
/// command exists, and so does every option it uses).
@Suite(.serialized) struct DocCommandsTests {
    static let documents = ["README.md"] + ((try? FileManager.default.contentsOfDirectory(atPath: TestEnvironment.repository.path + "/docs")) ?? [])
        .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }

    /// The ```sh blocks of a document, each as (first line number, text).
    static func shellBlocks(_ document: String) -> [(line: Int, text: String)] {
        let text = (try? String(contentsOfFile: TestEnvironment.repository.path + "/" + document, encoding: .utf8)) ?? ""
        var blocks: [(Int, String)] = []
        var current: [String]?
        var start = 0
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if current == nil, line.hasPrefix("```sh") {
                current = []
                start = index + 2
            } else if current != nil, line.hasPrefix("```") {
                blocks.append((start, current!.joined(separator: "\n")))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theREADMEWalkthroughRunsAsWritten() throws {
        // The README uses the example PKI in certs-example/.
        let daemon = try Daemon(pki: TestPKI(directory: TestEnvironment.repository.path + "/certs-example"))
        try daemon.start()
        let readme = try String(contentsOfFile: TestEnvironment.repository.path + "/README.md", encoding: .utf8)
        let walkthrough = readme.components(separatedBy: "## Walkthrough").last ?? ""
        guard let block = DocCommandsTests.shellBlocks("README.md").first(where: { walkthrough.contains($0.text) }) else {
            Issue.record("no walkthrough block in README.md")
            return
        }
        #expect(block.text.contains("swift build -c release && export PATH=$PWD/.build/release:$PATH"))
        let script = block.text
            .replacingOccurrences(of: "swift build -c release && export PATH=$PWD/.build/release:$PATH", with: "export PATH=\(TestEnvironment.binaries.path):$PATH")
            .replacingOccurrences(of: "127.0.0.1:7443", with: "127.0.0.1:\(daemon.port)")
        let result = run("/bin/bash", ["-e", "-c", "cd '\(TestEnvironment.repository.path)'\n" + script])
        #expect(result.status == 0, "\(result.output)")
        // What the comments promise: Rossi's implicit subscription, the board's, the report, Rossi's inbox, the board's JSON.
        #expect(result.stdout.contains("+/LY/#"))
        #expect(result.stdout.contains("subscribed to #"))
        #expect(result.stdout.contains("Departures from Zuwara rising"))
        #expect(result.stdout.contains("valid: border report about TN"))
        guard let start = result.stdout.range(of: "\n[", options: .backwards) else {
            Issue.record("the walkthrough printed no JSON inbox: \(result.output)")
            return
        }
        let json = result.stdout[start.lowerBound...]
        let boardInbox = try JSONValue(parsing: String(json.dropFirst()))
        #expect(Set(boardInbox.arrayValue?.compactMap { $0["headline"]?.stringValue } ?? []) == [
            "Departures from Zuwara rising", "Large group at Ras Ajdir, crossing closed since 02:00",
        ])
    }

    /// Every command line in a shell block, with continuation lines joined and comments dropped.
    static func commandLines(_ block: String) -> [String] {
        var lines: [String] = []
        var pending = ""
        for raw in block.components(separatedBy: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if let comment = line.range(of: " # ") { line = String(line[..<comment.lowerBound]) }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            lines.append(pending + line)
            pending = ""
        }
        return lines.filter { !$0.isEmpty }
    }

    @Test func everyCommandInTheDocsExistsWithTheOptionsItUses() throws {
        let script = run(TestEnvironment.ilo, ["completion", "bash"]).stdout
        var options: [String: Set<String>] = [:]
        for line in script.split(separator: "\n") {
            if let match = line.firstMatch(of: /^\s+([a-z]+)\) options="([^"]*)"/) {
                options[String(match.1)] = Set(match.2.split(separator: " ").map(String.init))
            }
        }
        let ilodHelp = run(TestEnvironment.ilod, ["--help"]).stdout
        var checked = 0
        for document in DocCommandsTests.documents {
            for block in DocCommandsTests.shellBlocks(document) {
                for line in DocCommandsTests.commandLines(block.text) {
                    // Each command in a pipeline or && chain.
                    for part in line.components(separatedBy: CharacterSet(charactersIn: "|&;()")) {
                        let words = part.split(separator: " ").map(String.init).filter { !$0.isEmpty }
                        guard let program = words.first else { continue }
                        let place = "\(document) (block at line \(block.line)): \(line)"
                        if program == "ilo" || program.hasSuffix("/ilo") {
                            checked += 1
                            let command = words.dropFirst().first { !$0.hasPrefix("-") && !$0.hasPrefix("$") } ?? "help"
                            guard command != "help", let known = options[command] else {
                                #expect(command == "help", "unknown ilo command \"\(command)\" in \(place)")
                                continue
                            }
                            for option in words where option.hasPrefix("--") {
                                let name = String(option.prefix { $0 != "=" })
                                #expect(known.contains(name) || name == "--profile", "ilo \(command) has no option \(name): \(place)")
                            }
                        } else if program == "ilod" || program.hasSuffix("/ilod") {
                            checked += 1
                            for option in words where option.hasPrefix("--") {
                                #expect(ilodHelp.contains(option), "ilod has no option \(option): \(place)")
                            }
                        } else if program.hasPrefix("scripts/") || program.hasPrefix("bench/") || program.hasPrefix("certs-example/") {
                            checked += 1
                            let path = TestEnvironment.repository.path + "/" + program
                            #expect(FileManager.default.isExecutableFile(atPath: path), "\(program) is not an executable file: \(place)")
                            let header = (try? String(contentsOfFile: path, encoding: .utf8))?.prefix(3000) ?? ""
                            for option in words where option.hasPrefix("--") {
                                #expect(header.contains(option), "\(program) does not document \(option): \(place)")
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 30, "only \(checked) commands found in the docs")
    }

    @Test func theManualPageIsGeneratedFromTheCurrentHelpTexts() {
        let check = run(
            "/bin/bash", [TestEnvironment.repository.path + "/scripts/cli-doc.sh", "--check"],
            environment: ProcessInfo.processInfo.environment.merging(["ILO": TestEnvironment.ilo]) { $1 })
        #expect(check.status == 0, "\(check.output)")
    }

    /// README promises config/hub.conf holds every node setting, commented.
    @Test func theExampleConfigurationNamesEverySetting() throws {
        let text = try String(contentsOfFile: TestEnvironment.repository.path + "/config/hub.conf", encoding: .utf8)
        let named = Set(text.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.drop { $0 == "#" || $0 == " " }
            return trimmed.split(separator: " ").first.map(String.init)
        })
        for key in NodeConfiguration.knownKeys { #expect(named.contains(key), "config/hub.conf does not name \(key)") }
    }

    @Test func everyConfigurationKeyIsDocumented() throws {
        let texts = try (DocCommandsTests.documents + ["config/hub.conf"]).map {
            try String(contentsOfFile: TestEnvironment.repository.path + "/" + $0, encoding: .utf8)
        }.joined()
        for key in NodeConfiguration.knownKeys {
            #expect(texts.contains("`\(key)") || texts.contains("\n\(key) ") || texts.contains("\n# \(key)"), "\(key) is in no doc and not in config/hub.conf")
        }
    }
}
