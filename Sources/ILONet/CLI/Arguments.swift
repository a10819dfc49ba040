/// A usage mistake on the command line; printed with the command's usage line.
public struct UsageError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A small command-line parser: `--name value`, `--name=value`, `--flag`,
/// positionals, and `--` to end options. Options are taken by name; whatever is
/// left over at `finish()` is an error, so a typo never passes silently.
public struct Arguments {
    private var tokens: [String?]

    public init(_ arguments: [String]) {
        tokens = arguments
    }

    /// Puts `extra` before the arguments not yet taken (a command that runs another one).
    public mutating func insert(_ extra: [String]) {
        tokens = extra.map { Optional($0) } + tokens
    }

    /// The value of `--name`, or nil when absent. Repeating an option is an error.
    public mutating func option(_ name: String) throws(UsageError) -> String? {
        var found: String?
        var index = 0
        while index < tokens.count {
            guard let token = tokens[index] else {
                index += 1
                continue
            }
            if token == "--" { break }
            if token == "--\(name)" {
                guard index + 1 < tokens.count, let value = tokens[index + 1], !(value.hasPrefix("--") && value.count > 2) else {
                    throw UsageError("--\(name) needs a value")
                }
                if found != nil { throw UsageError("--\(name) is given more than once") }
                found = value
                tokens[index] = nil
                tokens[index + 1] = nil
                index += 2
                continue
            }
            if token.hasPrefix("--\(name)=") {
                if found != nil { throw UsageError("--\(name) is given more than once") }
                found = String(token.dropFirst(name.count + 3))
                tokens[index] = nil
            }
            index += 1
        }
        return found
    }

    /// Lets `short` (e.g. `-o`) stand for `--name` among the arguments not yet taken.
    public mutating func alias(_ short: String, for name: String) {
        for index in tokens.indices where tokens[index] == short { tokens[index] = "--\(name)" }
    }

    /// Every `--name VALUE`, in order, each with the `--follower VALUE` given
    /// right after it, if any (`--attach FILE --caption TEXT`, repeatable).
    public mutating func repeated(_ name: String, follower: String) throws(UsageError) -> [(value: String, follower: String?)] {
        var found: [(String, String?)] = []
        var index = 0
        func value(at i: Int, of option: String) throws(UsageError) -> String {
            guard i < tokens.count, let value = tokens[i], !(value.hasPrefix("--") && value.count > 2) else { throw UsageError("--\(option) needs a value") }
            return value
        }
        while index < tokens.count {
            guard let token = tokens[index] else {
                index += 1
                continue
            }
            if token == "--" { break }
            if token == "--\(name)" {
                let given = try value(at: index + 1, of: name)
                tokens[index] = nil
                tokens[index + 1] = nil
                index += 2
                var next: String?
                if index < tokens.count, tokens[index] == "--\(follower)" {
                    next = try value(at: index + 1, of: follower)
                    tokens[index] = nil
                    tokens[index + 1] = nil
                    index += 2
                }
                found.append((given, next))
                continue
            }
            if token == "--\(follower)" { throw UsageError("--\(follower) comes right after the --\(name) it belongs to") }
            index += 1
        }
        return found
    }

    /// Whether `--name` is present (and removes it).
    public mutating func flag(_ name: String) -> Bool {
        var found = false
        for index in tokens.indices {
            guard let token = tokens[index] else { continue }
            if token == "--" { break }
            if token == "--\(name)" {
                found = true
                tokens[index] = nil
            }
        }
        return found
    }

    public mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = try option(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw UsageError("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// The next positional argument, if any.
    public mutating func positional() -> String? {
        var afterDashes = false
        for index in tokens.indices {
            guard let token = tokens[index] else { continue }
            if token == "--" && !afterDashes {
                afterDashes = true
                tokens[index] = nil
                continue
            }
            if afterDashes || !token.hasPrefix("-") || token == "-" {
                tokens[index] = nil
                return token
            }
        }
        return nil
    }

    /// The next positional argument, without taking it.
    public var peekPositional: String? {
        var copy = self
        return copy.positional()
    }

    /// Fails on anything not consumed: unknown options or extra positionals.
    public func finish() throws(UsageError) {
        for token in tokens.compactMap({ $0 }) where token != "--" {
            throw UsageError(token.hasPrefix("-") ? "unknown option \(token)" : "unexpected argument \"\(token)\"")
        }
    }
}
