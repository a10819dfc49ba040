import Foundation
import Testing

/// Every ilo command answers --help with an example and names its options; the
/// completion scripts offer what the commands take.
@Suite struct CompletionAndHelpTests {
    /// (command, options) as `ilo completion bash` lists them: the catalog, read back from the script.
    func catalog() -> [(command: String, subcommands: [String], options: [String])] {
        let script = run(TestEnvironment.ilo, ["completion", "bash"]).stdout
        return script.split(separator: "\n").compactMap { line in
            guard let match = line.firstMatch(of: /^\s+([a-z]+)\) options="([^"]*)" subcommands="([^"]*)" ;;$/) else { return nil }
            return (String(match.1), match.3.split(separator: " ").map(String.init), match.2.split(separator: " ").map(String.init))
        }
    }

    @Test func everyCommandAndSubcommandHasHelpWithAnExampleThatNamesItsOptions() throws {
        let commands = catalog()
        #expect(commands.count >= 18)
        let usage = run(TestEnvironment.ilo, ["--help"]).stdout
        for (command, subcommands, options) in commands {
            #expect(usage.contains(command), "ilo --help does not list \(command)")
            for words in [[command]] + subcommands.map({ [command, $0] }) {
                let help = run(TestEnvironment.ilo, words + ["--help"])
                #expect(help.status == 0, "ilo \(words.joined(separator: " ")) --help: \(help.output)")
                #expect(help.stdout.hasPrefix("usage: ilo ") && help.stdout.contains("ilo \(command)"), "ilo \(words.joined(separator: " ")) --help")
                #expect(help.stdout.lowercased().contains("example"), "ilo \(words.joined(separator: " ")) --help has no example")
                #expect(help.stderr.isEmpty, "help goes to stdout")
                for option in options where option != "--help" && option != "--profile" {
                    #expect(help.stdout.contains(option), "ilo \(words.joined(separator: " ")) --help does not name \(option)")
                }
            }
        }
    }

    /// Runs the bash completion function for `words` (the last one being completed).
    func complete(_ words: [String]) -> [String] {
        let script = run(TestEnvironment.ilo, ["completion", "bash"]).stdout
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let probe = script + "\nCOMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _ilo; printf '%s\\n' \"${COMPREPLY[@]}\"\n"
        return run("/bin/bash", ["-c", probe]).stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashCompletionOffersCommandsSubcommandsOptionsAndValues() {
        #expect(complete(["ilo", "qu"]) == ["queue"])
        #expect(Set(complete(["ilo", "s"])) == ["search", "send", "sent", "show", "subscribe", "subscriptions", "status"])
        #expect(complete(["ilo", "send", "--ki"]) == ["--kind"])
        #expect(complete(["ilo", "send", "--kind", ""]) == ["smuggling", "return", "border"])
        #expect(complete(["ilo", "send", "--priority", "f"]) == ["flash"])
        #expect(Set(complete(["ilo", "queue", ""])) == ["flush", "retry", "hold", "release", "delete"])
        #expect(complete(["ilo", "status", "--j"]) == ["--json"])
        #expect(Set(complete(["ilo", "inbox", "--no"])) == ["--node", "--notices"])
        #expect(complete(["ilo", "send", "--file", TestEnvironment.repository.path + "/config/demo/border-ras-"]).first?.hasSuffix("border-ras-ajdir.json") == true)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh"), "needs zsh (scripts/bootstrap.sh installs it)"))
    func zshCompletionIsValidZshThatOffersTheSameCommands() throws {
        let script = run(TestEnvironment.ilo, ["completion", "zsh"]).stdout
        #expect(script.hasPrefix("#compdef ilo\n"))
        let directory = TestEnvironment.runDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/_ilo"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let syntax = run("/usr/bin/zsh", ["-n", path])
        #expect(syntax.status == 0 && syntax.output.isEmpty, "\(syntax.output)")
        for (command, _, _) in catalog() { #expect(script.contains("'\(command):"), "\(command)") }
        #expect(script.contains("--kind) compadd -- smuggling return border; return ;;"))
    }
}
