/// One HTTP/1.1 request as the web view takes it (RFC 9112), parsed from the
/// bytes a connection has received so far. Deliberately small: a request line,
/// header fields, and a body only with `Content-Length` (no chunked uploads, no
/// folded headers); anything else is refused with the status that says why.
struct HTTPRequest: Sendable, Equatable {
    var method: String
    /// The path, percent-decoded (`/report/019…`).
    var path: String
    /// Query parameters, percent- and `+`-decoded; the last of a repeated name wins.
    var query: [String: String]
    /// Header fields by lower-cased name; repeated fields joined by ", ".
    var headers: [String: String]
    var body: [UInt8]

    /// HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes it.
    var keepAlive: Bool

    /// The body of an `application/x-www-form-urlencoded` POST.
    var form: [String: String] { HTTPRequest.decodeParameters(String(decoding: body, as: UTF8.self)) ?? [:] }

    enum Parsed: Equatable {
        /// More bytes are needed.
        case incomplete
        /// A request, and how many bytes of the buffer it took.
        case complete(HTTPRequest, consumed: Int)
        /// The bytes cannot be a request this server takes: answer `status` and close.
        case invalid(status: Int, reason: String)
    }

    static let maximumHeadBytes = 16 * 1024
    static let maximumBodyBytes = 16 * 1024
    static let maximumHeaderFields = 64

    /// Parses the first request in `buffer`.
    static func parse(_ buffer: [UInt8]) -> Parsed {
        guard let headEnd = headEnd(buffer) else {
            return buffer.count > maximumHeadBytes
                ? .invalid(status: 431, reason: "the request's header is larger than \(maximumHeadBytes) bytes") : .incomplete
        }
        guard headEnd <= maximumHeadBytes else { return .invalid(status: 431, reason: "the request's header is larger than \(maximumHeadBytes) bytes") }
        // Header bytes must be visible ASCII, spaces, tabs or line ends (no NULs, no raw UTF-8).
        guard buffer[..<headEnd].allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || (32...126).contains($0) }) else {
            return .invalid(status: 400, reason: "the request's header holds bytes that are not ASCII text")
        }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[0].allSatisfy({ $0.isUppercase && $0.isASCII }) else {
            return .invalid(status: 400, reason: "the request line is not METHOD TARGET HTTP/1.1")
        }
        let version = requestLine[2]
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .invalid(status: 505, reason: "only HTTP/1.1 (and 1.0) are spoken here")
        }
        let target = String(requestLine[1])
        guard target.hasPrefix("/"), target.count <= 4096 else { return .invalid(status: 400, reason: "the request target must be a path (at most 4096 characters)") }
        var headers: [String: String] = [:]
        var fieldCount = 0
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), line.first != " ", line.first != "\t" else {
                return .invalid(status: 400, reason: "a header line is not NAME: VALUE (folded lines are not taken)")
            }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_!#$%&'*+.^`|~".contains($0) }) else {
                return .invalid(status: 400, reason: "a header name holds a character names may not hold")
            }
            fieldCount += 1
            guard fieldCount <= maximumHeaderFields else { return .invalid(status: 431, reason: "more than \(maximumHeaderFields) header fields") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t"])
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        if headers["transfer-encoding"] != nil {
            return .invalid(status: 501, reason: "request bodies must come with Content-Length, not Transfer-Encoding")
        }
        var length = 0
        if let text = headers["content-length"] {
            // Repeated identical values are one length (RFC 9110 §8.6); anything else is refused.
            let values = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: [" "]) })
            guard values.count == 1, let only = values.first, !only.isEmpty, only.count <= 9, only.allSatisfy(\.isASCIIDigit), let value = Int(only) else {
                return .invalid(status: 400, reason: "Content-Length is not one number")
            }
            length = value
        }
        guard length <= maximumBodyBytes else { return .invalid(status: 413, reason: "the request's body is larger than \(maximumBodyBytes) bytes") }
        let bodyStart = headEnd + 4
        guard buffer.count >= bodyStart + length else { return .incomplete }
        let (rawPath, rawQuery) = splitTarget(target)
        guard let path = percentDecode(rawPath, plusIsSpace: false), let query = decodeParameters(rawQuery) else {
            return .invalid(status: 400, reason: "the request target is not validly percent-encoded UTF-8")
        }
        let connection = headers["connection"]?.lowercased() ?? ""
        let keepAlive = version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        let request = HTTPRequest(
            method: String(requestLine[0]), path: path, query: query, headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]),
            keepAlive: keepAlive)
        return .complete(request, consumed: bodyStart + length)
    }

    /// Where the blank line ending the header starts, if it has arrived.
    private static func headEnd(_ buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    private static func splitTarget(_ target: String) -> (String, String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// `a=1&b=two+words` into a dictionary; nil when an escape is broken. A
    /// name given more than once (checkboxes) has its values joined by spaces.
    static func decodeParameters(_ text: String) -> [String: String]? {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(String(parts[0]), plusIsSpace: true),
                let value = percentDecode(parts.count > 1 ? String(parts[1]) : "", plusIsSpace: true)
            else { return nil }
            result[name] = result[name].map { $0 + " " + value } ?? value
        }
        return result
    }

    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            switch byte {
            case UInt8(ascii: "%"):
                guard input.count >= 2, let high = hexValue(input.removeFirst()), let low = hexValue(input.removeFirst()) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }

    /// `text` for a query string or form value.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 48...57, 65...90, 97...122, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
