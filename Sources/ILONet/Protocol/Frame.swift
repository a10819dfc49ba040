/// One protocol frame (docs/PROTOCOL.md §2):
///
/// ```
/// offset size field
///      0    4 length      big-endian u32: bytes after this field (6 + payload)
///      4    1 type        MessageType
///      5    1 flags       0, or dataFollows (0x01): raw bytes follow the JSON
///      6    4 request id  big-endian u32, chosen by the requester, echoed in the answer
///     10    n payload     UTF-8 JSON object; with dataFollows: the JSON's
///                         length (big-endian u32), the JSON, then raw bytes
/// ```
public struct Frame: Sendable, Equatable {
    public static let headerSize = 10
    /// Flag: the payload is a JSON object's length, the object, and raw bytes (a CHUNK).
    public static let dataFollows: UInt8 = 0x01
    /// `length` counts these bytes of the header too.
    static let lengthCoveredHeader = 6

    public var type: UInt8
    public var flags: UInt8
    public var requestID: UInt32
    public var payload: [UInt8]

    public init(type: UInt8, flags: UInt8 = 0, requestID: UInt32, payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.requestID = requestID
        self.payload = payload
    }

    /// The frame's bytes on the wire.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Frame.headerSize + payload.count)
        appendEncoded(to: &out)
        return out
    }

    public func appendEncoded(to out: inout [UInt8]) {
        let length = UInt32(Frame.lengthCoveredHeader + payload.count)
        out.append(UInt8(length >> 24))
        out.append(UInt8(length >> 16 & 0xFF))
        out.append(UInt8(length >> 8 & 0xFF))
        out.append(UInt8(length & 0xFF))
        out.append(type)
        out.append(flags)
        out.append(UInt8(requestID >> 24))
        out.append(UInt8(requestID >> 16 & 0xFF))
        out.append(UInt8(requestID >> 8 & 0xFF))
        out.append(UInt8(requestID & 0xFF))
        out.append(contentsOf: payload)
    }
}
