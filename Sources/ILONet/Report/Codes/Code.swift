/// A coded field: its values, what each means, and where that meaning comes
/// from. Schemas validate against it, `ilo show` and templates label with it,
/// and docs/REPORTS.md documents it (a test checks all three agree).
public struct Code: Sendable {
    public struct Value: Sendable {
        public let value: String
        /// The meaning, in the source's own words where there is one.
        public let label: String

        public init(_ value: String, _ label: String) {
            self.value = value
            self.label = label
        }
    }

    /// The field path the code is for, e.g. `reliability`, `body.impact`.
    public let field: String
    /// Where the meanings come from: a regulation and article, a handling
    /// rule, or "ILONet" for a list of the network's own.
    public let source: String
    public let values: [Value]
    /// Values are JSON integers (information accuracy), not strings.
    public let numeric: Bool
    /// Added to the error for a value that is not in the list (why a familiar
    /// word is not accepted).
    public let hint: String?

    public init(_ field: String, source: String, numeric: Bool = false, hint: String? = nil, _ values: [Value]) {
        self.field = field
        self.source = source
        self.values = values
        self.numeric = numeric
        self.hint = hint
    }

    public var words: [String] { values.map(\.value) }

    public func label(_ value: String) -> String? { values.first { $0.value == value }?.label }
}
