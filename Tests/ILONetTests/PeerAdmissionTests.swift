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
}
