import ILONet

enum TemplateCommand {
    static let help = """
        usage: ilo template KIND [--case]

        Prints a commented fill-in report of KIND (smuggling, return, border): every
        field with its type, whether it is required, and its allowed values. With
        --case, also the personal-data fields, the purpose and the erase-by date.

        example:
          ilo template border > incident.json && $EDITOR incident.json && ilo send --file incident.json
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help)
            return Exit.ok
        }
        let caseData = arguments.flag("case")
        guard let name = arguments.positional() else { throw UsageError("name the kind: ilo template smuggling|return|border") }
        guard let kind = ReportKind(rawValue: name), !kind.isSystem else {
            throw UsageError("unknown kind \"\(name)\" (expected \(ReportKind.authored.map(\.rawValue).joined(separator: ", ")))")
        }
        try arguments.finish()
        print(ReportTemplate.render(kind: kind, dataClass: caseData ? .case : .strategic), terminator: "")
        return Exit.ok
    }
}
