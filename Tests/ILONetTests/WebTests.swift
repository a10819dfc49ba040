import Foundation
@testable import ILONet
import Testing

/// The web view (docs/WEB.md) over real TLS with curl as the browser: the
/// certificate is the session, every page obeys the one disclosure decision,
/// forms need their token, bad requests get a status and the node keeps serving.
@Suite(.serialized) struct WebTests {
    /// A hub with the web view on, its web port read from the log.
    final class WebHub: @unchecked Sendable {
        let daemon: Daemon
        let pki: TestPKI
        var webPort: UInt16 = 0

        init(pki: TestPKI = TestEnvironment.pki, extraConfig: String = "") throws {
            self.pki = pki
            daemon = try Daemon(
                pki: pki, extraConfig: "web.listen 127.0.0.1:0\naccess \(TestEnvironment.repository.path)/config/network/access.rules\n" + extraConfig)
            try daemon.start()
            let line = daemon.log.split(separator: "\n").first { $0.contains("msg=\"web view served\"") } ?? ""
            let listen = line.split(separator: " ").first { $0.hasPrefix("listen=") }.map { String($0.dropFirst("listen=".count)) }
            webPort = listen.flatMap(Endpoint.init)?.port ?? 0
        }

        var base: String { "https://127.0.0.1:\(webPort)" }

        /// curl as `identity` (nil: no certificate); status line and headers with -i.
        func curl(_ identity: String?, _ path: String, _ extra: [String] = []) -> (status: Int32, output: String) {
            var arguments = ["-s", "-i", "--max-time", "10", "--cacert", pki.ca]
            if let identity { arguments += ["--cert", pki.path("\(identity).crt"), "--key", pki.path("\(identity).key")] }
            let result = run("/usr/bin/curl", arguments + extra + [base + path])
            return (result.status, result.stdout)
        }

        /// The HTTP status of a response, 0 when there was none.
        func status(_ identity: String?, _ path: String, _ extra: [String] = []) -> Int {
            let response = curl(identity, path, extra).output
            guard response.hasPrefix("HTTP/1.1 ") else { return 0 }
            return Int(response.dropFirst(9).prefix(3)) ?? 0
        }

        /// Raw bytes over TLS (openssl s_client) as `identity`; what came back.
        func raw(_ identity: String, _ bytes: String) -> String {
            run("/usr/bin/openssl", [
                "s_client", "-quiet", "-ign_eof", "-connect", "127.0.0.1:\(webPort)", "-CAfile", pki.ca,
                "-cert", pki.path("\(identity).crt"), "-key", pki.path("\(identity).key"),
            ], stdin: bytes).stdout
        }
    }

    /// A browser's open connection does not outlive its certificate: revoked,
    /// and the node reloaded (SIGHUP), the connection is closed, while another
    /// reader's stays open and keeps being served.
    @Test func aRevokingReloadClosesTheOpenWebConnectionsOfThatCertificate() throws {
        let pki = TestPKI.make(name: "web-revoke-pki")
        pki.issue("officer-late", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.late", extensions: "subjectAltName=URI:ilonet:post:LY")
        let hub = try WebHub(pki: pki)
        /// A kept-alive HTTPS connection (openssl s_client) that has been answered once.
        func openConnection(_ identity: String) throws -> (process: Process, input: Pipe, output: LockedBox<String>) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = [
                "s_client", "-quiet", "-ign_eof", "-connect", "127.0.0.1:\(hub.webPort)", "-CAfile", pki.ca,
                "-cert", pki.path("\(identity).crt"), "-key", pki.path("\(identity).key"),
            ]
            let input = Pipe(), output = Pipe(), received = LockedBox("")
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            output.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                received.update { $0 += String(decoding: data, as: UTF8.self) }
            }
            try process.run()
            input.fileHandleForWriting.write(Data("GET / HTTP/1.1\r\nHost: hub\r\n\r\n".utf8))
            #expect(waitFor(10) { received.get().contains("</html>") }, "\(identity): \(received.get())")
            return (process, input, received)
        }
        let late = try openConnection("officer-late")
        let other = try openConnection("officer-de")
        defer { for connection in [late, other] where connection.process.isRunning { connection.process.terminate() } }

        pki.revoke("officer-late")
        kill(hub.daemon.pid, SIGHUP)
        #expect(waitFor { hub.daemon.log.contains("revocation list reloaded") }, "\(hub.daemon.log)")
        #expect(waitFor { hub.daemon.log.contains("closing web connection after reload") && hub.daemon.log.contains("identity=officer.de.late") })
        #expect(waitFor(10) { !late.process.isRunning }, "the revoked reader's connection stayed open")
        // The other reader's connection is still open and still answered.
        #expect(other.process.isRunning)
        let before = other.output.get().count
        other.input.fileHandleForWriting.write(Data("GET / HTTP/1.1\r\nHost: hub\r\n\r\n".utf8))
        #expect(waitFor(10) { other.output.get().dropFirst(before).contains("</html>") }, "\(other.output.get())")
        #expect(hub.daemon.log.components(separatedBy: "closing web connection after reload").count == 2, "only the revoked reader's")
    }

    @Test func theCertificateIsTheSessionAndEveryPageObeysDisclosure() throws {
        let pki = TestPKI.make(name: "web-pki")
        pki.issue("officer-gone", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.gone", extensions: "subjectAltName=URI:ilonet:post:LY")
        pki.revoke("officer-gone")
        let hub = try WebHub(pki: pki)
        #expect(hub.webPort != 0, "\(hub.daemon.log)")
        let mueller = try hub.daemon.client("officer-de")
        let open = sampleReport(["headline": "Zanzibar crates seen near Zuwara", "body.modus_operandi": "boats hidden in kumquat crates"])
        let h2 = sampleReport(["headline": "Marmalade network for the board", "handling": "H2", "addressees": ["board.fr.martin"]])
        for report in [open, h2] { #expect(try mueller.request(.publish, ["report": report]).type == .accepted) }
        let openID = open["id"]!.stringValue!, h2ID = h2["id"]!.stringValue!

        // No certificate, a revoked one, or a node's: nothing is served.
        #expect(hub.status(nil, "/") == 0)
        #expect(hub.status("officer-gone", "/") == 0)
        let node = hub.curl("hub", "/").output
        #expect(node.hasPrefix("HTTP/1.1 403") && node.contains("the web view is for people") && !node.contains("Zanzibar"), "\(node)")

        // Every answer carries the security headers.
        let inbox = hub.curl("board-fr", "/").output
        for header in [
            "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "Cache-Control: no-store", "X-Content-Type-Options: nosniff", "Strict-Transport-Security: max-age=31536000", "X-Frame-Options: DENY",
        ] {
            #expect(inbox.contains(header + "\r\n"), "\(header)")
        }
        #expect(!inbox.lowercased().contains("<script"), "no script anywhere")

        // The H2 report: its addressee reads it, an officer sees nothing of it anywhere.
        let page = hub.curl("board-fr", "/report/\(h2ID)").output
        #expect(page.hasPrefix("HTTP/1.1 200") && page.contains("Marmalade network") && page.contains("H2 — not to be disseminated without the permission of the provider"))
        let denied = hub.curl("officer-it", "/report/\(h2ID)").output
        #expect(denied.hasPrefix("HTTP/1.1 404") && !denied.contains("Marmalade") && denied.contains("No report \(h2ID) that you may read"), "\(denied)")
        #expect(hub.curl("board-fr", "/search?q=marmalade").output.contains(h2ID))
        let search = hub.curl("officer-it", "/search?q=marmalade").output
        #expect(search.contains("No report you may read matches") && !search.contains(h2ID))
        // Every word of the free text finds the open report, highlighted, for one who may read it.
        for word in ["zanzibar", "kumquat", "crates"] {
            let found = hub.curl("officer-it", "/search?q=\(word)").output
            #expect(found.contains(openID) && found.contains("<mark>"), "\(word)")
        }
        // A reader's view is audited like `ilo show`.
        #expect(hub.daemon.count("SELECT count(*) FROM audit WHERE event = 'read' AND report_id = '\(h2ID)' AND actor = 'board.fr.martin'") >= 1)

        // Roles: an administrator reads no content and gets the statistics; an officer no statistics.
        #expect(hub.curl("admin", "/").output.contains("admin identities receive no reports"))
        #expect(hub.status("admin", "/search?q=zanzibar") == 403)
        #expect(hub.status("admin", "/trends") == 200)
        let refused = hub.curl("officer-it", "/activity").output
        #expect(refused.hasPrefix("HTTP/1.1 403") && refused.contains("forbidden"), "\(refused)")

        // The activity report's CSV is byte for byte `ilo report activity --format csv`.
        let day = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds()).prefix(10))
        let csv = hub.curl("board-fr", "/activity.csv?from=2026-01-01&to=\(day)", []).output
        let body = csv.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let cli = run(TestEnvironment.ilo, ["report", "activity", "--from", "2026-01-01", "--to", day, "--format", "csv"] + hub.daemon.iloArguments("board-fr"))
        #expect(cli.status == 0 && !body.isEmpty && body == cli.stdout, "web:\n\(body)\nilo:\n\(cli.output)")
        let chart = hub.curl("board-fr", "/trends.svg?from=2026-01-01&to=\(day)&every=month&by=kind").output
        #expect(chart.contains("Content-Type: image/svg+xml") && chart.contains("<svg"))

    }

    @Test func formsNeedTheirTokenAndBadRequestsGetAStatus() throws {
        let hub = try WebHub()
        let page = hub.curl("board-fr", "/subscriptions").output
        let token = page.firstMatch(of: /name="token" value="([0-9a-f]{64})"/).map { String($0.1) } ?? ""
        #expect(!token.isEmpty, "\(page)")
        let form = ["-H", "Content-Type: application/x-www-form-urlencoded"]
        // Without the token, with another identity's, or from another site: refused, nothing changed.
        #expect(hub.status("board-fr", "/subscriptions/add", form + ["--data", "filter=smuggling%2FLY%2F%23&mode=each"]) == 403)
        #expect(hub.status("board-fr", "/subscriptions/add", form + ["--data", "token=\(token)&filter=smuggling%2FLY%2F%23", "-H", "Origin: https://evil.example"]) == 403)
        let otherToken = hub.curl("officer-de", "/subscriptions").output.firstMatch(of: /name="token" value="([0-9a-f]{64})"/).map { String($0.1) } ?? "x"
        #expect(otherToken != token)
        #expect(hub.status("board-fr", "/subscriptions/add", form + ["--data", "token=\(otherToken)&filter=smuggling%2FLY%2F%23"]) == 403)
        #expect(hub.daemon.count("SELECT count(*) FROM subscriptions WHERE filter = 'smuggling/LY/#'") == 0)
        // With it: subscribed, then unsubscribed, each answered with 303 to the page.
        let added = hub.curl("board-fr", "/subscriptions/add", form + ["--data", "token=\(token)&filter=smuggling%2FLY%2F%23&mode=daily"]).output
        #expect(added.hasPrefix("HTTP/1.1 303") && added.contains("Location: /subscriptions?done="), "\(added)")
        #expect(hub.daemon.count("SELECT count(*) FROM subscriptions WHERE filter = 'smuggling/LY/#' AND mode = 'digest'") == 1)
        #expect(hub.status("board-fr", "/subscriptions/remove", form + ["--data", "token=\(token)&filter=smuggling%2FLY%2F%23&mode=digest"]) == 303)
        #expect(hub.daemon.count("SELECT count(*) FROM subscriptions WHERE filter = 'smuggling/LY/#'") == 0)
        // Issue 27, items 7 and 16: banners are fixed messages chosen by a code; nothing
        // from the address reaches the page. A form from an opaque origin (Origin: null) is refused,
        // and the pages' own forms keep their origin (Referrer-Policy same-origin, not no-referrer).
        for path in ["/subscriptions?done=Re-enter+your+passphrase+at+http%3A%2F%2Fphish.example", "/?read=Re-enter+your+passphrase", "/?done=Re-enter+your+passphrase"] {
            let shown = hub.curl("board-fr", path).output
            #expect(shown.hasPrefix("HTTP/1.1 200") && !shown.contains("Re-enter") && !shown.contains("phish"), "\(path)")
        }
        #expect(hub.curl("board-fr", "/subscriptions?done=subscribed").output.contains("Subscribed: the subscription is in the list below."))
        #expect(page.contains("Referrer-Policy: same-origin") && !page.contains("no-referrer"))
        let opaque = hub.curl("board-fr", "/subscriptions/add", form + ["--data", "token=\(token)&filter=smuggling%2FLY%2F%23", "-H", "Origin: null"]).output
        #expect(opaque.hasPrefix("HTTP/1.1 403") && opaque.contains("opaque origin"), "\(opaque)")
        // A filter the rules refuse is refused with the node's words.
        let officerToken = otherToken
        let refused = hub.curl("officer-de", "/subscriptions/add", form + ["--data", "token=\(officerToken)&filter=border%2FMA%2F%23"]).output
        #expect(refused.hasPrefix("HTTP/1.1 403") && refused.contains("no access rule allows it"), "\(refused)")

        // Malformed and oversized requests: a status, a close, and the node serves on.
        #expect(hub.raw("board-fr", "NONSENSE\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        #expect(hub.raw("board-fr", "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 17_000) + "\r\n\r\n").hasPrefix("HTTP/1.1 431"))
        #expect(hub.raw("board-fr", "POST /inbox/read HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").hasPrefix("HTTP/1.1 501"))
        #expect(hub.raw("board-fr", "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").hasPrefix("HTTP/1.1 405"))
        #expect(hub.status("board-fr", "/no/such/page") == 404)
        #expect(hub.status("board-fr", "/search?q=%zz") == 400)
        // Two requests on one connection (keep-alive), then the node is still there for everyone.
        let both = hub.raw("board-fr", "GET /static/style.css HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(both.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(both.prefix(400))")
        #expect(hub.status("officer-de", "/") == 200)
    }

    /// Someone whose home is another node is told so by this node's inbox page (issue 28).
    @Test func theInboxOfSomeoneWhoReadsElsewhereNamesTheirHomeNode() throws {
        let hub = try WebHub()
        let deployed = run(TestEnvironment.ilo, [
            "deploy", "board.fr.martin", "--role", "board", "--from", RegisterTests.day(-1), "--reads-at", "board.ilonet.example",
        ] + hub.daemon.iloArguments("authority-fr-user"))
        #expect(deployed.status == 0, "\(deployed.output)")
        let page = hub.curl("board-fr", "/").output
        #expect(page.contains("You read at <strong>board.ilonet.example</strong>"), "\(page)")
        // Its owner (no entry: reads where it connects) sees its mailbox as before.
        #expect(!hub.curl("authority-de-user", "/").output.contains("You read at"))
    }

    @Test func requestParsing() {
        func parse(_ text: String) -> HTTPRequest.Parsed { HTTPRequest.parse(Array(text.utf8)) }
        let text = "GET /search?q=two+words&country=LY&x=%C3%A9 HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\nrest"
        guard case .complete(let request, let consumed) = parse(text) else {
            Issue.record("not parsed")
            return
        }
        #expect(request.method == "GET" && request.path == "/search" && consumed == text.utf8.count - 4)
        #expect(request.query == ["q": "two words", "country": "LY", "x": "é"])
        #expect(request.headers["x-a"] == "1, 2" && request.keepAlive)
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n") == .incomplete)
        #expect(parse("POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nab") == .incomplete)
        if case .complete(let post, _) = parse("POST /f HTTP/1.1\r\nContent-Length: 9\r\n\r\ntoken=a%2") { #expect(post.form.isEmpty) } else { Issue.record("post") }
        if case .complete(let post, _) = parse("POST /f HTTP/1.0\r\nContent-Length: 7\r\n\r\na=1&b=+") { #expect(post.form == ["a": "1", "b": " "] && !post.keepAlive) } else { Issue.record("post") }
        func status(_ text: String) -> Int? { if case .invalid(let status, _) = parse(text) { status } else { nil } }
        #expect(status("GET / HTTP/2\r\n\r\n") == 505)
        #expect(status("GET http://x/ HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\n folded\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 99999\r\n\r\n") == 413)
        #expect(status("GET / HTTP/1.1\r\nX: \u{1}\r\n\r\n") == 400)
        #expect(status("GET /%ff HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\n" + String(repeating: "A: b\r\n", count: 65) + "\r\n") == 431)
        // Escaping: markup only from the pages; snippets mark matches and nothing else.
        #expect(HTML.escape("<script>\"'&") == "&lt;script&gt;&quot;&#39;&amp;")
        #expect(HTML.snippet("a \u{2}<b>\u{3} c") == "a <mark>&lt;b&gt;</mark> c")
        #expect(HTML.snippet("\u{2}open") == "<mark>open</mark>")
        #expect(hmacSHA256(key: Array("key".utf8), message: Array("The quick brown fox jumps over the lazy dog".utf8)).hexString
            == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }
}

/// The report page for people (issue 28): the substance first, words not keys.
@Suite struct ReportPageLayoutTests {
    @Test func theSubstanceComesFirstInWordsWithTheRecordFoldedAtTheEnd() throws {
        var report = sampleReport([
            "body.nationalities": [["country": "ER", "persons": 40], ["country": "SD"]], "body.estimated_persons": 52,
            "on_behalf_of": ["AT"],
        ])
        if case .object(var fields) = report, case .object(var body)? = fields["body"] {
            body["route"] = ["origin": ["SD"], "transit": ["LY"], "destination": ["IT"]]
            fields["body"] = .object(body)
            fields["origin"] = ["officer": "officer.de.mueller", "authority": "DE-BPOL", "state": "DE"]
            report = .object(fields)
        }
        let evaluation = try #require(ReportPage.evaluation(report))
        #expect(evaluation.hasPrefix("<strong>B2</strong> — ") && evaluation.contains("; "), "\(evaluation)")
        let summary = ReportPage.summary(report).map { "\($0.0): \($0.1)" }.joined(separator: "\n")
        #expect(summary.contains("Route: Sudan (SD) → Libya (LY) → Italy (IT)"), "\(summary)")
        #expect(summary.contains("Nationalities: Eritrea (ER) 40, Sudan (SD)"), "\(summary)")
        #expect(summary.contains("Persons (estimated): 52") && summary.contains("on behalf of Austria (AT)"), "\(summary)")
        let body = ReportPage.body(report["body"]!, schema: BodySchemas.smuggling, path: "")
        for machine in ["nationalities[0]", "modus_operandi", "means_of_transport", "on_behalf_of", ">SD<", ">LY<"] {
            #expect(!body.contains(machine), "the body shows \(machine): \(body)")
        }
        #expect(body.contains("Modus operandi") && body.contains("Means of transport") && body.contains("Libya (LY)"))
        let record = ReportPage.record(report)
        #expect(record.hasPrefix("<details class=\"record\">") && record.contains("<dt>Id</dt>") && record.contains("<dt>Created</dt>"), "\(record)")
    }
}
