import ILONet
import ILOClient

enum TemplateCommand {
    static let help = """
        usage: ilo template KIND [--personal-data CATEGORY]

        Prints a commented fill-in report of KIND (smuggling, return, border): every
        field with its type, whether it is required, and its allowed values with
        their meanings and sources. With --personal-data, also the personal-data
        fields of that Art. 10(3) category (return-identification,
        return-passenger-list, smuggling-trafficking) and the erase-by date.

        example:
          ilo template border > incident.json && $EDITOR incident.json && ilo send --file incident.json
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help)
            return Exit.ok
        }
        let category = try arguments.option("personal-data")
        var personalData: Purpose?
        if let category, category != "none" {
            guard let purpose = Purpose(rawValue: category) else {
                throw UsageError("unknown personal-data category \"\(category)\" (expected \(Purpose.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            personalData = purpose
        }
        guard let name = arguments.positional() else { throw UsageError("name the kind: ilo template smuggling|return|border") }
        guard let kind = ReportKind(rawValue: name), kind.isContent else {
            throw UsageError("unknown kind \"\(name)\" (expected \(ReportKind.authored.map(\.rawValue).joined(separator: ", ")))")
        }
        try arguments.finish()
        print(ReportTemplate.render(kind: kind, personalData: personalData), terminator: "")
        return Exit.ok
    }
}
