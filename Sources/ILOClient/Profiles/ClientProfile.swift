import ILONet
import Foundation

/// Where `ilo` finds the node and its credentials, so officers do not type them
/// each time. Precedence: command-line flags, then environment variables
/// (`ILO_NODE`, `ILO_SERVER_NAME`, `ILO_CERT`, `ILO_KEY`, `ILO_CA`), then the
/// named profile (`--profile NAME` or `ILO_PROFILE`, else `[default]`) in the
/// profile file (`ILO_PROFILES`, else `$XDG_CONFIG_HOME/ilo/profiles.conf`, else
/// `~/.config/ilo/profiles.conf`). Relative paths in the file are relative to it.
public struct ClientProfile {
    public static let keys = ["node", "server-name", "cert", "key", "ca"]
    static let environment = ["node": "ILO_NODE", "server-name": "ILO_SERVER_NAME", "cert": "ILO_CERT", "key": "ILO_KEY", "ca": "ILO_CA"]

    public static func defaultProfilePath(environment env: [String: String]) -> String {
        if let explicit = env["ILO_PROFILES"], !explicit.isEmpty { return explicit }
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/ilo/profiles.conf"
    }

    /// Resolves the connection options from flags, environment and profile file.
    public static func resolve(
        _ arguments: inout Arguments, environment env: [String: String] = ProcessInfo.processInfo.environment
    ) throws(UsageError) -> ClientOptions {
        let (values, path) = try values(&arguments, environment: env)
        var missing: [String] = []
        for key in ["node", "cert", "key", "ca"] where values[key] == nil { missing.append("--\(key)") }
        guard missing.isEmpty else {
            throw UsageError("missing \(missing.joined(separator: ", ")) (give them as flags, ILO_* variables or in \(path))")
        }
        guard let endpoint = Endpoint(values["node"]!) else { throw UsageError("--node \"\(values["node"]!)\" is not HOST:PORT") }
        var options = ClientOptions(
            node: endpoint, certificatePath: values["cert"]!, privateKeyPath: values["key"]!, caPath: values["ca"]!,
            serverName: values["server-name"])
        // TLS session tickets beside the outbox (docs/CLI.md, "Files ilo keeps").
        options.sessionDirectory = (Outbox.path(node: "", certificate: "", environment: env) as NSString).deletingLastPathComponent
        return options
    }

    /// Whatever connection settings are given, without requiring any; returns
    /// them with the profile file's path. `ilo validate` uses it to find `cert`.
    public static func values(
        _ arguments: inout Arguments, environment env: [String: String] = ProcessInfo.processInfo.environment
    ) throws(UsageError) -> ([String: String], String) {
        var values: [String: String] = [:]
        for key in keys { values[key] = try arguments.option(key) }
        let profileName = try arguments.option("profile") ?? env["ILO_PROFILE"]
        for key in keys where values[key] == nil {
            if let value = env[environment[key]!], !value.isEmpty { values[key] = value }
        }
        let path = defaultProfilePath(environment: env)
        if FileManager.default.fileExists(atPath: path) {
            let file: ConfigFile
            do throws(ConfigErrors) { file = try ConfigFile.load(path) } catch { throw UsageError(error.description) }
            if let first = file.syntaxErrors.first { throw UsageError(first.description) }
            let wanted = profileName ?? "default"
            var found = false
            for entry in file.entries where (entry.section ?? "default") == wanted {
                found = true
                guard keys.contains(entry.key) else {
                    throw UsageError("\(path):\(entry.line): unknown key \"\(entry.key)\" (expected \(keys.joined(separator: ", ")))")
                }
                if values[entry.key] == nil {
                    values[entry.key] = ["cert", "key", "ca"].contains(entry.key) ? file.resolve(entry.value) : entry.value
                }
            }
            if !found && profileName != nil { throw UsageError("\(path): no profile [\(wanted)]") }
        } else if let profileName {
            throw UsageError("profile \"\(profileName)\" requested but \(path) does not exist")
        }
        return (values, path)
    }
}
