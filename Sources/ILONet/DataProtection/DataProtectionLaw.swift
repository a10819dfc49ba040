/// The data-protection law a node's controller applies (`node.controller-law`,
/// docs/ACCESS.md §9): a member state's authority applies the GDPR or, for the
/// prevention, investigation, detection or prosecution of criminal offences,
/// its law transposing Directive (EU) 2016/680; an EU institution, body or
/// agency — the Commission operating the platform hub (Regulation (EU)
/// 2019/1240 Art. 9) — applies Regulation (EU) 2018/1725.
public enum DataProtectionLaw: String, Sendable, CaseIterable {
    case gdpr
    case directive2016680 = "directive-2016-680"
    case regulation20181725 = "regulation-2018-1725"

    /// The law's name as people cite it.
    public var title: String {
        switch self {
        case .gdpr: "Regulation (EU) 2016/679 (GDPR)"
        case .directive2016680: "Directive (EU) 2016/680 (law enforcement)"
        case .regulation20181725: "Regulation (EU) 2018/1725 (EU institutions, bodies and agencies)"
        }
    }

    /// The article that requires the record of processing activities.
    public var recordArticle: String {
        switch self {
        case .gdpr: "GDPR Art. 30"
        case .directive2016680: "Directive (EU) 2016/680 Art. 24"
        case .regulation20181725: "Regulation (EU) 2018/1725 Art. 31"
        }
    }

    /// The setting's values, for an error message.
    public static var choices: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension NodeConfiguration {
    /// The controller as WELCOME, NODE-STATUS and the record name it
    /// (`{"name", "contact"?, "law"?}`); nil when `node.controller` is not set.
    var controllerJSON: JSONValue? {
        guard let controller else { return nil }
        var fields: [String: JSONValue] = ["name": .string(controller)]
        if let controllerContact { fields["contact"] = .string(controllerContact) }
        if let controllerLaw { fields["law"] = .string(controllerLaw.rawValue) }
        return .object(fields)
    }
}

extension DataProtectionLaw {
    /// "NAME (LAW)", as `ilo status` and `ilo show` print a controller object.
    public static func describe(controller: JSONValue?) -> String? {
        guard let name = controller?["name"]?.stringValue else { return nil }
        guard let law = controller?["law"]?.stringValue.flatMap(DataProtectionLaw.init(rawValue:)) else { return name + " (law applied: not stated)" }
        return name + " (" + law.title + ")"
    }
}
