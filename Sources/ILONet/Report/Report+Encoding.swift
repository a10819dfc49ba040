/// A report's canonical bytes written straight from its fields (issue 32): the
/// same bytes as `JSONValue.encoded()` of `document` — members in the order of
/// their names' UTF-8 bytes, no white space, JSON's escapes only — without
/// building the envelope's dictionary and sorting its keys for every report.
/// `ReportModelTests` checks the two agree for every kind and optional field.
extension Report {
    /// The canonical bytes of `document` (`withSignature`) or of `unsignedDocument`.
    func canonicalBytes(withSignature: Bool) -> [UInt8] {
        var writer = MemberWriter(capacity: 512 + headline.utf8.count)
        // In the order of the names' bytes: accuracy < addressees < attachments < body < …
        if let accuracy { writer.member("accuracy") { $0.append(contentsOf: String(accuracy).utf8) } }
        writer.member("addressees") { MemberWriter.strings(addressees, to: &$0) }
        if !attachments.isEmpty { writer.member("attachments") { MemberWriter.values(attachments.map(\.json), to: &$0) } }
        writer.member("body") { body.append(to: &$0) }
        if let conditions { writer.string("conditions", conditions) }
        if let corrects { writer.string("corrects", corrects.description) }
        writer.string("country", country)
        writer.string("created", Timestamp.format(milliseconds: createdMilliseconds))
        if let eraseByMilliseconds { writer.string("erase_by", String(Timestamp.format(milliseconds: eraseByMilliseconds).prefix(10))) }
        writer.string("expires", Timestamp.format(milliseconds: expiresMilliseconds))
        if let followUpOf { writer.string("follow_up_of", followUpOf.description) }
        writer.member("format") { $0.append(contentsOf: String(format).utf8) }
        writer.string("handling", handling.rawValue)
        writer.string("headline", headline)
        writer.string("id", id.description)
        writer.string("kind", kind.rawValue)
        if let level { writer.string("level", level.rawValue) }
        writer.member("on_behalf_of") { MemberWriter.strings(onBehalfOf, to: &$0) }
        writer.member("origin") { origin.json.append(to: &$0) }
        writer.string("personal_data", personalData?.rawValue ?? "none")
        writer.string("priority", priority.rawValue)
        if !related.isEmpty { writer.member("related") { MemberWriter.strings(related.map(\.description), to: &$0) } }
        if let reliability { writer.string("reliability", reliability.rawValue) }
        if withSignature, let signature { writer.member("signature") { signature.json.append(to: &$0) } }
        writer.string("topic", topic)
        writer.out.append(UInt8(ascii: "}"))
        return writer.out
    }
}

/// Writes an object's members one after another, names already in order.
private struct MemberWriter {
    var out: [UInt8] = []
    private var first = true

    init(capacity: Int) { out.reserveCapacity(capacity) }

    mutating func member(_ name: StaticString, _ value: (inout [UInt8]) -> Void) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        first = false
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: "\":".utf8)
        value(&out)
    }

    mutating func string(_ name: StaticString, _ value: String) {
        member(name) { JSONValue.appendString(value, to: &$0) }
    }

    static func strings(_ values: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.appendString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func values(_ values: [JSONValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            value.append(to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
