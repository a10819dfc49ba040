import Foundation
import Testing
@testable import ILONet

/// The commands the documentation shows: every `ilo`, `ilod` and `scripts/…`
/// line in a shell block of README.md and docs/*.md is checked against the code
/// (the command exists, and so does every option it uses). DocBlocksTests runs
/// the blocks.
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
                            // `ilo --profile NAME COMMAND`: NAME is not the command.
                            var rest = Array(words.dropFirst())
                            while rest.first == "--profile", rest.count > 1 { rest.removeFirst(2) }
                            let command = rest.first { !$0.hasPrefix("-") && !$0.hasPrefix("$") } ?? "help"
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
