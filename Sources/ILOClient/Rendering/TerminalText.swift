import ILONet
/// Text from reports made safe for a terminal (docs/CLI.md): a report's author
/// must not be able to move the cursor, erase lines, set the window title,
/// write the clipboard (OSC 52), ring the bell or reorder what follows on a
/// reader's screen. Every C0 and C1 control character, DEL, and every Unicode
/// bidirectional embedding, override or isolate is shown escaped as `\u001b`.
/// JSON output (`--json`) is exact and never goes through this.
public enum TerminalText {
    /// `text` for one line of output: newlines and tabs are escaped too.
    public static func line(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            out.append(contentsOf: "\\u\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)".unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0 (ESC, BEL, CR, LF, TAB…), DEL, C1 (CSI, OSC…)
        case 0x202A...0x202E, 0x2066...0x2069: true  // bidi embeddings, overrides, isolates
        default: false
        }
    }
}
