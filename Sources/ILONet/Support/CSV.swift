/// RFC 4180 CSV: the fields of a row, quoted only when they must be.
public enum CSV {
    /// `text` as one field: quoted when it holds a comma, a quote or a line break.
    public static func field(_ text: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// One record, CRLF-terminated.
    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\r\n" }
}

extension CSV {
    /// Why a CSV text could not be read: the line it was on and what to do.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The records of an RFC 4180 text (CRLF or LF line ends; quoted fields may
    /// hold commas, quotes doubled, and line breaks), each with the line it
    /// starts on. A byte-order mark at the start is skipped; empty lines are
    /// left out. An unterminated quote, or text after a closing quote, is an error.
    public static func parse(_ text: String) throws(ParseError) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false, afterQuote = false, fieldStarted = false
        var line = 1, recordLine = 1
        var characters = Array(text.unicodeScalars)
        if characters.first == "\u{FEFF}" { characters.removeFirst() }
        var i = 0
        func endRecord() {
            if fieldStarted || !fields.isEmpty { records.append((recordLine, fields + [field])) }
            fields = []
            field = ""
            fieldStarted = false
            afterQuote = false
        }
        while i < characters.count {
            let c = characters[i]
            i += 1
            if quoted {
                if c == "\"" {
                    if i < characters.count, characters[i] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                fields.append(field)
                field = ""
                fieldStarted = true
                afterQuote = false
            case "\r" where i < characters.count && characters[i] == "\n":
                break
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            case "\"" where !fieldStarted || field.isEmpty && !afterQuote:
                quoted = true
                fieldStarted = true
            default:
                if afterQuote { throw ParseError(line: line, message: "text after a closing quote; a field that holds a quote is quoted whole, the quote doubled (\"\")") }
                if c == "\"" { throw ParseError(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")") }
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if quoted { throw ParseError(line: recordLine, message: "a quoted field is not closed before the end of the file") }
        endRecord()
        return records
    }
}
