import Foundation
import Glibc

/// A private copy of the parts of the checkout that the documentation's commands
/// use (`config/`, `certs-example/`, `scripts/`, `bench/`), in a temporary
/// directory with a `var/` of its own, so that a test can run `scripts/demo.sh`,
/// `scripts/network.sh` or a README block as written without touching the
/// user's `var/` or a network the user started.
///
/// The only change made to the copy is the ports: the example network's
/// 7601–7604, 7611–7612 and the hubs' 7443, 7444 and 7445 (web view) become `base + 1 … base + 45`, for a
/// `base` from `TestPorts`: free, and no other sandbox or node of this run has them.
/// `PORT_BASE` is set to the same base for the scripts that take it.
struct Sandbox: Sendable {
    let path: String
    let base: Int

    init(name: String) throws {
        base = TestPorts.block(size: 50)
        path = TestEnvironment.runDirectory + "/sandbox-\(name)"
        let manager = FileManager.default
        try? manager.removeItem(atPath: path)
        try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
        let repository = TestEnvironment.repository.path
        for directory in ["config", "certs-example", "scripts", "bench"] {
            let copy = run("/bin/cp", ["-a", repository + "/" + directory, path + "/"])
            guard copy.status == 0 else { throw SandboxError(message: "cp \(directory): \(copy.output)") }
        }
        for directory in ["config", "scripts", "bench"] {
            for file in manager.enumerator(atPath: path + "/" + directory)?.compactMap({ $0 as? String }) ?? [] {
                let full = path + "/" + directory + "/" + file
                guard let text = try? String(contentsOfFile: full, encoding: .utf8) else { continue }
                let mapped = mapPorts(text)
                if mapped != text {
                    let mode = (try? manager.attributesOfItem(atPath: full)[.posixPermissions]) ?? 0o644
                    try mapped.write(toFile: full, atomically: true, encoding: .utf8)
                    try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
                }
            }
        }
    }

    /// `text` with every example port replaced by this sandbox's.
    func mapPorts(_ text: String) -> String {
        text.replacing(/(^|[^0-9])(76(?:0[1-4]|1[12])|744[345])(?![0-9])/.anchorsMatchLineEndings()) { match in
            match.1 + String(base + Int(match.2)! % 100)
        }
    }

    /// The port this sandbox uses for an example port.
    func port(_ example: Int) -> Int { base + example % 100 }

    /// The environment for the documentation's commands: this build's binaries
    /// first on PATH, `ilo`'s state and profiles inside the sandbox, HOME too.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = TestEnvironment.binaries.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["ILOD"] = TestEnvironment.ilod
        environment["ILO"] = TestEnvironment.ilo
        environment["HOME"] = path + "/home"
        environment["XDG_STATE_HOME"] = path + "/home/.local/state"
        environment["XDG_CONFIG_HOME"] = path + "/home/.config"
        environment["PORT_BASE"] = String(base)
        for name in ["ILO_PROFILE", "ILO_PROFILES", "ILO_NODE", "ILO_CERT", "ILO_KEY", "ILO_CA"] { environment[name] = nil }
        return environment.merging(extra) { $1 }
    }

    /// Runs a bash script in the sandbox's root with its environment.
    func bash(_ script: String, environment extra: [String: String] = [:]) -> (status: Int32, output: String, stdout: String, stderr: String) {
        try? FileManager.default.createDirectory(atPath: path + "/home", withIntermediateDirectories: true)
        return run("/bin/bash", ["-c", "cd '\(path)'\n" + script], environment: environment(extra))
    }
}

struct SandboxError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
