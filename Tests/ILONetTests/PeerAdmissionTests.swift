import Foundation
import Testing
@testable import ILONet

/// A configured peer is held to the rules a user is (docs/ACCESS.md §5).
@Suite(.serialized) struct PeerAdmissionTests {
    func signed(_ document: JSONValue, by name: String) throws -> JSONValue {
        let pki = TestEnvironment.pki
        let author = try PeerIdentity(certificateFile: pki.path("\(name).crt"))
        let credentials = try TLSCredentials(certificate: pki.path("\(name).crt"), privateKey: pki.path("\(name).key"), checkKeyPermissions: false)
        return try credentials.sign(try Report.validate(document, sender: Origin(author))).document
    }

    /// The refusal a FORWARD from the relay gets, or nil if it was accepted.
    func forward(_ peer: ClientConnection, _ report: JSONValue, path: [String]) throws -> ProtocolError? {
        do throws(ClientError) {
            try peer.request(.forward, ["report": report, "path": .array(path.map { .string($0) })])
            return nil
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            return refusal
        }
    }

    @Test func forwardsAreCheckedLikePublishes() throws {
        let hub = try Daemon(extraConfig: "access \(DisclosureTests.networkRules)\npeer regional-na.ilonet.example")
        try hub.start()
        try hub.register("officer-it", "board-fr")
        let relay = "regional-na.ilonet.example"
        let peer = try hub.client("regional-na")
        _ = try peer.request(.ping)

        // Accepted: an officer's signed report along a path ending with the relay (positive control).
        let good = try signed(sampleReport(), by: "officer-de")
        #expect(try forward(peer, good, path: ["post-tripoli.ilonet.example", relay]) == nil)

        // A report authored and signed by the relay node itself.
        let byRelay = try signed(sampleReport(), by: "regional-na")
        #expect(try forward(peer, byRelay, path: [relay])?.message.contains("nodes write only notices and digests") == true)

        // A report this hub's publish rules refuse: board members publish only border reports here.
        let boardSmuggling = try signed(sampleReport(), by: "board-fr")
        let refused = try forward(peer, boardSmuggling, path: [relay])
        #expect(refused?.code == .forbidden && refused?.message.contains("may not publish smuggling") == true, "\(String(describing: refused))")

        // Paths that do not end with the sender, repeat a node, or name a person.
        let other = try signed(sampleReport(), by: "officer-de")
        #expect(try forward(peer, other, path: ["post-tripoli.ilonet.example"])?.message.contains("must end with") == true)
        #expect(try forward(peer, other, path: [relay, relay])?.message.contains("names a node twice") == true)
        #expect(try forward(peer, other, path: ["officer.it.rossi", relay])?.message.contains("not a node") == true)

        // A notice worded by the peer, to an officer, about no report that passed it.
        let phishing = try signed(
            [
                "id": .string(ReportID.generate().description), "kind": "notice", "country": "LY",
                "headline": "Re-enter your key passphrase at http://example.invalid", "created": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())),
                "handling": "H0", "addressees": ["officer.it.rossi"], "priority": "flash",
                "body": ["about": .string(good["id"]!.stringValue!), "event": "delivered", "node": .string(relay), "since": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())), "return_path": [.string(relay)]],
            ], by: "regional-na")
        #expect(try forward(peer, phishing, path: [relay])?.message.contains("fixed wording") == true)
        // Correctly worded, but to someone who did not write the report it is about.
        guard case .object(var fields) = phishing else { return }
        fields.removeValue(forKey: "signature")
        fields["headline"] = .string("Delivered: report \(good["id"]!.stringValue!) reached \(relay)")
        let misaddressed = try signed(.object(fields), by: "regional-na")
        let answer = try forward(peer, misaddressed, path: [relay])
        #expect(answer?.message.contains("not to officer.de.mueller") == true, "\(String(describing: answer))")

        #expect(hub.count("SELECT count(*) FROM reports") == 1, "only the good report was taken")
    }

    /// Issue 27, item 6: a peer cannot word what an officer is told. A peer's
    /// refusal reaches the author as a code in this node's words; a notice
    /// carries a code, never text; a second notice about the same report and
    /// event from the same node is acknowledged and not kept.
    @Test func aPeerCannotWordWhatAnOfficerIsTold() throws {
        let routes = TestEnvironment.runDirectory + "/to-relay-\(UUID().uuidString.prefix(6)).routes"
        try "default -> regional-na.ilonet.example\n".write(toFile: routes, atomically: true, encoding: .utf8)
        let hub = try Daemon(extraConfig: "peer regional-na.ilonet.example\nroutes \(routes)")
        try hub.start()
        let relay = try hub.client("regional-na")
        _ = try relay.request(.ping)
        let mueller = try hub.client("officer-de")
        func next(_ type: MessageType) throws -> Message {
            while true {
                let message = try Message(frame: try relay.receiveFrame())
                if message.type == type { return message }
            }
        }
        // The relay refuses one report with words of its own ...
        let refusedReport = sampleReport(["headline": "Refused on the way"])
        #expect(try mueller.request(.publish, ["report": refusedReport]).type == .accepted)
        let first = try next(.forward)
        let phishing = "Your certificate was revoked: re-enter your passphrase at http://phish.example"
        try relay.send(Message.error(ProtocolError(.forbidden, phishing, requestID: first.requestID)).frame)
        // ... and takes another.
        let taken = sampleReport(["headline": "Taken by the relay"])
        #expect(try mueller.request(.publish, ["report": taken]).type == .accepted)
        let second = try next(.forward)
        try relay.send(Message(.accepted, requestID: second.requestID, ["id": taken["id"]!, "duplicate": false]).frame)
        let refusedID = refusedReport["id"]!.stringValue!, takenID = taken["id"]!.stringValue!
        #expect(waitFor(5) { hub.count("SELECT count(*) FROM dead_letters") == 1 && hub.count("SELECT count(*) FROM audit WHERE event = 'forward'") == 1 })

        // Notices from the relay about the report it took: with text of its own, refused; with a code, kept once.
        let relayName = "regional-na.ilonet.example"
        func notice(_ body: [String: JSONValue]) throws -> JSONValue {
            var fields: [String: JSONValue] = [
                "about": .string(takenID), "event": "refused", "node": .string(relayName), "next_hop": "board.ilonet.example",
                "return_path": [.string(relayName)],
            ]
            for (key, value) in body { fields[key] = value }
            return try signed([
                "id": .string(ReportID.generate().description), "kind": "notice", "country": "LY",
                "headline": .string("Not delivered: board.ilonet.example refused report \(takenID) at \(relayName)"),
                "created": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())), "handling": "H0",
                "addressees": ["officer.de.mueller"], "priority": "priority", "body": .object(fields),
            ], by: "regional-na")
        }
        let worded = try? notice(["reason": .string(phishing)])
        #expect(worded == nil, "a notice with text of its own cannot even be made valid")
        var unchecked = try notice(["code": "forbidden"])
        if case .object(var fields) = unchecked, case .object(var body) = fields["body"] {
            body["reason"] = .string(phishing)
            fields["body"] = .object(body)
            unchecked = .object(fields)
        }
        let refusal = try forward(relay, unchecked, path: [relayName])
        #expect(refusal?.code == .invalidReport && refusal?.field == "body.reason", "\(String(describing: refusal))")
        #expect(try forward(relay, try notice(["code": "forbidden"]), path: [relayName]) == nil)
        #expect(try forward(relay, try notice(["code": "forbidden"]), path: [relayName]) == nil, "a duplicate is acknowledged")
        #expect(hub.count("SELECT count(*) FROM reports WHERE kind = 'notice' AND json_extract(CAST(document AS TEXT), '$.body.about') = '\(takenID)'") == 1)

        // What the author reads: this node's words for the codes, never the relay's.
        for id in [refusedID, takenID] {
            let story = run(TestEnvironment.ilo, ["sent", id] + hub.iloArguments("officer-de"))
            #expect(story.status == 0 && !story.output.contains("phish") && !story.output.contains("passphrase"), "\(story.output)")
            #expect(story.stdout.contains("the next node's rules do not allow it there (forbidden)"), "\(story.stdout)")
        }
        let raw = try mueller.request(.sent, ["limit": 10])
        #expect(!raw.body.encodedString().contains("phish"), "\(raw.body)")
        #expect(hub.log.contains("peer refused the report"), "the administrator still reads the relay's words in the log")
    }
}
