/// One HTTP/1.1 response of the web view, with the security headers every
/// answer carries (docs/WEB.md §4): a Content-Security-Policy that allows
/// nothing but this origin's stylesheet and images (no script, no inline style,
/// no frames, forms only to this origin), no caching of what a reader was
/// shown, no referrer to other sites, no sniffing, HSTS.
struct HTTPResponse: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8]
    var extraHeaders: [(String, String)] = []
    /// Close the connection once the response has gone.
    var close = false

    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func html(_ page: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
    }

    static func text(_ text: String, status: Int, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }

    /// 303 See Other: after a form changed something, the browser loads `location` (no resubmission on reload).
    static func seeOther(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 303, contentType: "text/plain; charset=utf-8", body: Array("see \(location)\n".utf8), extraHeaders: [("Location", location)])
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 303: "See Other"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: status < 500 ? "Bad Request" : "Internal Server Error"
        }
    }

    /// The bytes on the wire; `head` leaves the body out (HEAD requests).
    func encoded(head: Bool = false) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(HTTPResponse.reason(status))\r\n"
        var headers: [(String, String)] = [
            ("Content-Type", contentType),
            ("Content-Length", String(body.count)),
            ("Content-Security-Policy", HTTPResponse.contentSecurityPolicy),
            ("Cache-Control", "no-store"),
            // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null`
            // on the pages' own forms, and the origin check must refuse null (docs/WEB.md §4).
            ("Referrer-Policy", "same-origin"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
            ("Strict-Transport-Security", "max-age=31536000"),
        ]
        headers += extraHeaders
        if close { headers.append(("Connection", "close")) }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + (head ? [] : body)
    }
}
