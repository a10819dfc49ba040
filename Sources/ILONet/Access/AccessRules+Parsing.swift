import Foundation

extension AccessRules {
    public static func load(_ path: String) throws(ConfigErrors) -> AccessRules {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, "cannot read the access rules")])
        }
        let rules = try parse(text, path: path)
        if let problem = rules.admitsNobody {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, problem)])
        }
        return rules
    }

    /// Why a rules file lets nobody connect (no `allow connect` before an
    /// unconditional `deny connect`), or nil. Such a file is refused at start,
    /// by --check-config and on reload: it would lock out every officer,
    /// administrator and peer node, including whoever would fix it remotely.
    var admitsNobody: String? {
        for rule in rules where rule.action == .connect {
            if rule.allow { return nil }
            // A wildcard matches everyone (`role=*`, `id=*`, `authority=*`, `state=*`); only
            // `node=*` still narrows a rule, to nodes.
            let conditions = rule.conditions.filter { !($0.key != .node && $0.value.contains("*")) }
            if conditions.isEmpty { break }
        }
        return "these rules admit nobody: no \"allow connect\" rule comes before an unconditional deny, so every officer, "
            + "administrator and peer node would be refused. Add one, e.g. \"allow connect role=officer,board,authority,admin,node,dpo\" "
            + "(docs/ACCESS.md §2)"
    }

    public static func parse(_ text: String, path: String) throws(ConfigErrors) -> AccessRules {
        var rules: [Rule] = []
        var errors: [ConfigError] = []
        let whatKeys: [Action: Set<Key>] = [.connect: [], .publish: [.kind, .country], .subscribe: [.topic], .digest: [.topic], .readPersonal: [.personalData], .holdPersonal: []]
        for (index, raw) in ConfigFile.lines(text).enumerated() {
            let number = index + 1
            func fail(_ message: String) { errors.append(ConfigError(file: path, line: number, message)) }
            if let problem = ConfigFile.controlProblem(raw) {
                fail(problem)
                continue
            }
            let words = ConfigFile.stripComment(String(raw)).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { continue }
            guard words[0] == "allow" || words[0] == "deny" else {
                fail("a rule starts with allow or deny, not \"\(words[0])\"")
                continue
            }
            guard words.count >= 2, let action = Action(rawValue: words[1]) else {
                fail("the action is one of \(Action.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            var conditions: [Key: [String]] = [:]
            for (key, values) in ConfigFile.conditions(words.dropFirst(2), fail: fail) as [(key: Key, values: [String])] {
                if [.kind, .country, .topic, .personalData].contains(key) && !(whatKeys[action]!.contains(key)) {
                    fail("\"\(key.rawValue)\" does not apply to \(action.rawValue)")
                    continue
                }
                for value in values where value != "*" {
                    if let problem = check(key, value) { fail(problem) }
                }
                conditions[key] = values
            }
            if action == .holdPersonal && conditions[.node] == nil { fail("hold-personal rules name the nodes: node=NAME[,NAME…] or node=*") }
            rules.append(Rule(allow: words[0] == "allow", action: action, conditions: conditions, topics: conditions[.topic] ?? [], location: "\(path):\(number)"))
        }
        if !errors.isEmpty { throw ConfigErrors(errors: errors) }
        return AccessRules(rules: rules, path: path)
    }

    static func check(_ key: Key, _ value: String) -> String? {
        switch key {
        case .role: return Role(rawValue: value) == nil ? "unknown role \"\(value)\" (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))" : nil
        case .state: return ISOCodes.deployingStateProblem(value)
        case .country: return ISOCodes.isCountry(value) ? nil : "unknown country code \"\(value)\""
        case .kind: return ReportKind.authored.contains { $0.rawValue == value } ? nil : "unknown kind \"\(value)\""
        case .personalData:
            return Purpose(rawValue: value) == nil ? "unknown personal-data category \"\(value)\" (\(Purpose.allCases.map(\.rawValue).joined(separator: ", ")))" : nil
        case .topic:
            do throws(TopicFilter.Invalid) {
                _ = try TopicFilter(value.replacingOccurrences(of: "{posts}", with: "XX"))
                return nil
            } catch {
                return "topic: \(error)"
            }
        case .id, .authority, .node: return nil
        }
    }
}
