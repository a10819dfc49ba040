import Synchronization

/// The node's live access rules, replaced as a whole on reload.
public final class AccessControl: Sendable {
    private let current: Mutex<AccessRules>

    public init(_ rules: AccessRules) { current = Mutex(rules) }

    public var rules: AccessRules { current.withLock { $0 } }
    public func replace(_ rules: AccessRules) { current.withLock { $0 = rules } }
}
