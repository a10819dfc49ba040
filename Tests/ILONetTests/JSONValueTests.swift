import Testing
@testable import ILONet

@Suite struct JSONValueTests {
    /// Strings are escaped exactly as RFC 8259 and the canonical form require,
    /// byte for byte the same as the straightforward per-byte rule (signatures
    /// are over these bytes), with escapes at the start, the end, in runs and alone.
    @Test func stringEscapingMatchesThePerByteRule() {
        func reference(_ s: String) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for byte in s.utf8 {
                switch byte {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, 0x6E]
                case 0x0D: out += [0x5C, 0x72]
                case 0x09: out += [0x5C, 0x74]
                case 0x00..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
                default: out.append(byte)
                }
            }
            return out + [0x22]
        }
        var samples = ["", "plain", "\"", "\\", "\"quoted\"", "a\nb\r\tc", "\u{0}\u{1}\u{1f}", "end\\", "Müller عبد 中文 😀", "mixed \"x\\y\"\u{7}z"]
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", " ", "\"", "\\", "\n", "\u{1}", "é", "ع", "😀", "\t", "/"]
        for _ in 0..<500 { samples.append(String((0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })) }
        for sample in samples {
            var out: [UInt8] = []
            JSONValue.appendString(sample, to: &out)
            #expect(out == reference(sample), "\(sample.debugDescription)")
        }
    }

    @Test func canonicalEncodingSortsKeysAndDropsWhitespace() throws {
        let value = try JSONValue(parsing: #"{ "b": [1, 2.5, true, null], "a": "x\"y\n" }"#)
        #expect(value.encodedString() == #"{"a":"x\"y\n","b":[1,2.5,true,null]}"#)
    }

    @Test func equalValuesEncodeToEqualBytes() throws {
        let a = try JSONValue(parsing: #"{"x":{"k":1,"j":[1e0,"\u00e9"]}}"#)
        let b = try JSONValue(parsing: #"{"x":{"j":[1,"é"],"k":1}}"#)
        #expect(a.encoded() == b.encoded())
    }

    @Test func duplicateMembersAreRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: #"{"a":1,"a":2}"#) }
    }

    @Test func deepNestingIsRefusedNotRecursed() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: deep) }
    }

    @Test(arguments: ["", "{", "[1,]", "01", "\"\\x\"", "{\"a\" 1}", "tru", "1 2", "\"\u{01}\""])
    func malformedInputIsRefused(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: text) }
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try JSONValue(parsing: #""\ud83d\ude00""#) == .string("😀"))
    }
}

@Suite struct CanonicalNumberTests {
    @Test(arguments: [
        (1.5, "1.5"), (2.0, "2"), (-0.25, "-0.25"), (1e-5, "0.00001"), (1.25e-7, "0.000000125"),
        (1e20, "100000000000000000000"), (12.5e18, "12500000000000000000"), (-3.75e-3, "-0.00375"), (52.520008, "52.520008"),
    ])
    func plainDecimalNotation(_ value: Double, _ expected: String) throws {
        #expect(JSONValue.canonicalNumber(value) == expected)
        #expect(Double(expected) == value)
        // Parsing the canonical form and encoding again gives the same bytes.
        #expect(try JSONValue(parsing: expected).encodedString() == expected)
    }
}
