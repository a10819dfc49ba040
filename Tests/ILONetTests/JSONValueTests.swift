import Testing
@testable import ILONet

@Suite struct JSONValueTests {
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
