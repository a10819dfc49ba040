/// Why a byte stream is not a valid sequence of frames. Either is fatal for the
/// connection: after it, frame boundaries can no longer be trusted.
public enum FrameError: Error, Equatable, CustomStringConvertible {
    case tooLarge(announced: Int, limit: Int)
    case malformed(String)

    public var description: String {
        switch self {
        case .tooLarge(let announced, let limit): "frame of \(announced) bytes exceeds the limit of \(limit)"
        case .malformed(let reason): "malformed frame: \(reason)"
        }
    }
}

/// Cuts a byte stream into frames. The announced length is checked against the
/// limit as soon as the 4 length bytes are in, before anything is allocated for
/// the frame's payload. Holds no buffer while idle.
public struct FrameDecoder: Sendable {
    public let maximumFrameSize: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumFrameSize: Int) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Bytes received but not yet part of a complete frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends received bytes and returns every frame they complete.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(FrameError) -> [Frame] {
        var outcome: Result<[Frame], FrameError> = .success([])
        bytes.withUnsafeBytes { raw in
            do throws(FrameError) { outcome = .success(try feed(raw)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// Appends received bytes and returns every frame they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> [Frame] {
        var frames: [Frame] = []
        if buffer.count == start {
            // Nothing buffered: decode straight from the input, keep only the tail.
            buffer.removeAll(keepingCapacity: false)
            start = 0
            var offset = 0
            while let (frame, used) = try FrameDecoder.decode(bytes, from: offset, limit: maximumFrameSize) {
                frames.append(frame)
                offset += used
            }
            if offset < bytes.count {
                buffer.append(contentsOf: bytes[offset...])
            }
            return frames
        }
        buffer.append(contentsOf: bytes)
        var failure: FrameError?
        var position = start
        buffer.withUnsafeBytes { raw in
            do throws(FrameError) {
                while let (frame, used) = try FrameDecoder.decode(raw, from: position, limit: maximumFrameSize) {
                    frames.append(frame)
                    position += used
                }
            } catch {
                failure = error
            }
        }
        start = position
        if let failure { throw failure }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: false)
            start = 0
        } else if start > 64 * 1024 {
            buffer.removeFirst(start)
            start = 0
        }
        return frames
    }

    /// One frame from `raw` at `offset`, with the number of bytes it used; nil when
    /// more bytes are needed.
    static func decode(_ raw: UnsafeRawBufferPointer, from offset: Int, limit: Int) throws(FrameError) -> (Frame, Int)? {
        let available = raw.count - offset
        guard available >= 4 else { return nil }
        let length = Int(raw[offset]) << 24 | Int(raw[offset + 1]) << 16 | Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
        guard length + 4 <= limit else { throw .tooLarge(announced: length + 4, limit: limit) }
        guard length >= Frame.lengthCoveredHeader else { throw .malformed("length \(length) is shorter than the header") }
        guard available >= 4 + length else { return nil }
        let type = raw[offset + 4]
        let flags = raw[offset + 5]
        guard flags & ~Frame.dataFollows == 0 else { throw .malformed("flags must be 0 or 0x01 (data follows) in protocol v1") }
        let requestID = UInt32(raw[offset + 6]) << 24 | UInt32(raw[offset + 7]) << 16 | UInt32(raw[offset + 8]) << 8 | UInt32(raw[offset + 9])
        let payload = Array(raw[(offset + Frame.headerSize)..<(offset + 4 + length)])
        return (Frame(type: type, flags: flags, requestID: requestID, payload: payload), 4 + length)
    }
}
