/// A JSON document as a value.
///
/// ILONet parses and prints JSON itself instead of going through Codable: the
/// report validator needs every field's path, duplicate keys must be refused
/// rather than silently collapsed, and the printed form must be the same byte for
/// byte on every node (keys sorted, no white space, shortest number forms).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var integerValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The value with `null` object members removed at every depth: in reports a
    /// null member means "not given", and the stored document leaves it out.
    public func removingNullMembers() -> JSONValue {
        // Most documents have none: then the value itself, not a copy.
        guard hasNullMember else { return self }
        switch self {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, value) in members where value != .null { kept[key] = value.removingNullMembers() }
            return .object(kept)
        case .array(let elements):
            return .array(elements.map { $0.removingNullMembers() })
        default:
            return self
        }
    }

    /// Whether an object member, at any depth, is `null`.
    private var hasNullMember: Bool {
        switch self {
        case .object(let members): members.values.contains { $0 == .null || $0.hasNullMember }
        case .array(let elements): elements.contains { $0.hasNullMember }
        default: false
        }
    }

    /// The JSON type's name as users know it, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var members: [String: JSONValue] = [:]
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}
