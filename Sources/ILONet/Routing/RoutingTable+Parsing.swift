import Foundation

extension RoutingTable {
    /// Reads a routing table. Every problem is reported as `FILE:LINE: message`.
    /// - Parameter knownHops: the node's configured peers; a rule naming another
    ///   node is an error (nil: do not check).
    public static func load(_ path: String, knownHops: Set<String>? = nil) throws(ConfigErrors) -> RoutingTable {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, "cannot read the routing table")])
        }
        return try parse(text, path: path, knownHops: knownHops)
    }

    public static func parse(_ text: String, path: String, knownHops: Set<String>? = nil) throws(ConfigErrors) -> RoutingTable {
        var rules: [Rule] = []
        var errors: [ConfigError] = []
        var defaultLine: Int?
        for (index, raw) in ConfigFile.lines(text).enumerated() {
            let number = index + 1
            func fail(_ message: String) { errors.append(ConfigError(file: path, line: number, message)) }
            if let problem = ConfigFile.controlProblem(raw) {
                fail(problem)
                continue
            }
            let line = ConfigFile.stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let halves = line.components(separatedBy: "->")
            guard halves.count == 2 else {
                fail(halves.count < 2 ? "expected \"-> NEXT-HOP\" at the end of the rule" : "more than one \"->\"")
                continue
            }
            let words = halves[0].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first, let kind = RuleKind(rawValue: first) else {
                fail("a rule starts with route, copy or default, not \"\(words.first ?? "")\"")
                continue
            }
            var conditions: [Condition] = []
            for (key, values) in ConfigFile.conditions(words.dropFirst(), fail: fail) as [(key: Key, values: [String])] {
                for value in values {
                    if let problem = check(key: key, value: value) { fail(problem) }
                }
                conditions.append(Condition(key: key, values: values))
            }
            if kind == .default {
                if !conditions.isEmpty { fail("a default rule matches every report; it takes no conditions") }
                if let earlier = defaultLine { fail("a second default rule (the first is on line \(earlier))") }
                defaultLine = number
            } else if words.count == 1 {
                fail("a \(kind.rawValue) rule needs at least one key=value condition (use default for every report)")
            }
            let hops = halves[1].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
            if hops.isEmpty { fail("no next hop after \"->\"") }
            for (position, hop) in hops.enumerated() where hops[..<position].contains(hop) {
                fail("next hop \"\(hop)\" is named twice in one rule")
            }
            if let knownHops {
                for hop in hops where !knownHops.contains(hop) {
                    fail("next hop \"\(hop)\" is not a configured peer (peers: \(knownHops.sorted().joined(separator: ", ")))")
                }
            }
            rules.append(Rule(kind: kind, conditions: conditions, nextHops: hops, file: path, line: number))
        }
        if !errors.isEmpty { throw ConfigErrors(errors: errors) }
        return RoutingTable(rules: rules, path: path)
    }

    static func check(key: Key, value: String) -> String? {
        switch key {
        case .country:
            return ISOCodes.isCountry(value) || value == ISOCodes.severalCountries ? nil : "unknown country code \"\(value)\""
        case .state:
            return ISOCodes.deployingStateProblem(value)
        case .kind:
            return ReportKind(rawValue: value) != nil ? nil : "unknown kind \"\(value)\" (\(ReportKind.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .priority:
            return Priority(rawValue: value) != nil ? nil : "unknown priority \"\(value)\" (flash, immediate, priority, routine)"
        case .handling:
            return HandlingCode(rawValue: value) != nil ? nil : "unknown handling code \"\(value)\" (H0, H1, H2, H3)"
        case .personalData:
            return value == "none" || value == "any" || Purpose(rawValue: value) != nil
                ? nil : "unknown personal-data value \"\(value)\" (none, any, \(Purpose.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .represented:
            return ISOCodes.participatingStates.contains(value) ? nil : "\"\(value)\" is not a participating state (an EU member state, IS, LI, NO or CH)"
        case .authority:
            return nil
        }
    }
}
