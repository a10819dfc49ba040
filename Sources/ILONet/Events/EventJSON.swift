/// How EVENT-LIST and EVENT-VIEW carry an event (docs/PROTOCOL.md §3).
extension ReportStore.Event {
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "kind": .string(kind), "country": .string(country), "owner": .string(owner),
            "first_author": .string(firstAuthor), "first_state": .string(firstState), "status": .string(status.rawValue),
            "created": .string(Timestamp.format(milliseconds: createdMilliseconds)), "late": .bool(late),
            "updated": .string(Timestamp.format(milliseconds: updatedMilliseconds)),
        ]
        if let timeMilliseconds {
            fields["time"] = .string(Timestamp.format(milliseconds: timeMilliseconds))
            fields["first_report_after_seconds"] = .integer((createdMilliseconds - timeMilliseconds) / 1000)
        }
        if let impact {
            fields["impact"] = .string(impact)
            fields["impact_by"] = .string(assessedImpact != nil ? "owner" : "first report")
        }
        if let firstImpact { fields["first_report_impact"] = .string(firstImpact) }
        if let validation { fields["validation"] = .string(validation) }
        if let closeReason { fields["close_reason"] = .string(closeReason) }
        if let note { fields["note"] = .string(note) }
        return .object(fields)
    }
}

extension ReportStore.EventReport {
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "kind": .string(kind), "headline": .string(headline), "created": .string(Timestamp.format(milliseconds: createdMilliseconds)),
            "author": .string(author), "authority": .string(authority), "personal_data": .bool(personalData),
        ]
        if let impact { fields["impact"] = .string(impact) }
        if let reliability { fields["reliability"] = .string(reliability) }
        if let accuracy { fields["accuracy"] = .integer(accuracy) }
        if let measuresTaken { fields["measures_taken"] = .string(measuresTaken) }
        if let measuresPlanned { fields["measures_planned"] = .string(measuresPlanned) }
        return .object(fields)
    }
}

extension ReportStore.EventView {
    /// EVENT-VIEW's body: the event, its readable reports, how many are withheld,
    /// its actions (who, what, when), and the confidence of its first report
    /// (2021/581 Art. 16(2): the source's reliability, the information's accuracy, the validation).
    public var json: JSONValue {
        let actionList: [JSONValue] = actions.map { document in
            var fields: [String: JSONValue] = [
                "id": document["id"] ?? .null, "by": document["origin"]?["officer"] ?? .null, "authority": document["origin"]?["authority"] ?? .null,
                "created": document["created"] ?? .null,
            ]
            for key in ["action", "impact", "validation", "reason", "to", "note"] { if let value = document["body"]?[key] { fields[key] = value } }
            return .object(fields)
        }
        var confidence: [String: JSONValue] = ["validation": .string(event.validation ?? "not stated")]
        if let first = reports.first(where: { $0.id == event.id }) {
            if let reliability = first.reliability { confidence["reliability"] = .string(reliability) }
            if let accuracy = first.accuracy { confidence["accuracy"] = .integer(accuracy) }
        }
        return [
            "event": event.json, "reports": .array(reports.map(\.json)), "withheld": .integer(Int64(withheld)), "actions": .array(actionList),
            "confidence": .object(confidence),
        ]
    }
}

extension EventAction {
    /// The time to first report of an EVENT-LIST or EVENT-VIEW event, as people
    /// read it: "after 3h00m", with `lateMark` appended when it was late (more
    /// than 24 h, 2021/581 Art. 9(3)); "event time not stated" without a time.
    public static func firstReportText(_ event: JSONValue, lateMark: String) -> String {
        guard let seconds = event["first_report_after_seconds"]?.integerValue else { return "(event time not stated)" }
        let minutes = seconds % 3600 / 60
        let text = "after \(seconds / 3600)h\(minutes < 10 ? "0" : "")\(minutes)m"
        return event["late"]?.boolValue == true ? text + lateMark : text
    }
}
