/// DEFLATE decompression (RFC 1951) and its zlib wrapper (RFC 1950), written
/// for one purpose: to look inside the Flate-compressed objects of a PDF
/// attachment (`PDFInspection`) without trusting them. Every call has an
/// output bound: a stream that would inflate past it is refused as soon as it
/// does (a decompression bomb costs at most the bound, never more), and every
/// malformed input is an error, never a crash or a loop.
///
/// Written from the RFC: stored, fixed-Huffman and dynamic-Huffman blocks;
/// canonical Huffman codes decoded bit by bit from their per-length counts.
public enum Inflate {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case truncated
        case invalid(String)
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .truncated: "the compressed data ends early"
            case .invalid(let why): "not valid compressed data: \(why)"
            case .tooLarge(let limit): "it decompresses to more than \(limit) bytes"
            }
        }
    }

    /// Inflates a zlib stream (2-byte header, DEFLATE data, Adler-32), at most `limit` bytes out.
    public static func zlib(_ data: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        guard data.count >= 2 else { throw .truncated }
        let cmf = Int(data[0]), flags = Int(data[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7 else { throw .invalid("not a zlib stream (compression method \(cmf & 0x0F))") }
        guard (cmf * 256 + flags) % 31 == 0 else { throw .invalid("zlib header check fails") }
        guard flags & 0x20 == 0 else { throw .invalid("a preset dictionary is not supported") }
        var reader = BitReader(data, from: 2)
        let out = try inflate(&reader, limit: limit)
        // The Adler-32 that follows, when present (PDF writers do not always write it).
        let at = reader.byteIndex
        if data.count >= at + 4 {
            let stored = data[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard stored == adler32(out) else { throw .invalid("the Adler-32 checksum does not match") }
        }
        return out
    }

    /// Inflates raw DEFLATE data, at most `limit` bytes out.
    public static func raw(_ data: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var reader = BitReader(data, from: 0)
        return try inflate(&reader, limit: limit)
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for chunk in stride(from: 0, to: bytes.count, by: 5552) {
            for byte in bytes[chunk..<min(chunk + 5552, bytes.count)] {
                a += UInt32(byte)
                b += a
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    // MARK: - Bits and codes

    struct BitReader {
        let bytes: [UInt8]
        var index: Int
        var buffer: UInt32 = 0
        var count = 0

        init(_ bytes: [UInt8], from index: Int) {
            self.bytes = bytes
            self.index = index
        }

        /// The byte after the last one read from (for what follows the DEFLATE data).
        var byteIndex: Int { index - count / 8 }

        /// The next `n` bits (n ≤ 16), least significant first.
        mutating func bits(_ n: Int) throws(Failure) -> Int {
            while count < n {
                guard index < bytes.count else { throw .truncated }
                buffer |= UInt32(bytes[index]) << UInt32(count)
                index += 1
                count += 8
            }
            let value = Int(buffer & ((1 << UInt32(n)) - 1))
            buffer >>= UInt32(n)
            count -= n
            return value
        }

        /// Drops the bits left in the current byte (before a stored block).
        mutating func align() {
            buffer = 0
            count = 0
        }
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init(lengths: [Int]) throws(Failure) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            // Over-subscribed lengths describe no code at all.
            var left = 1
            for length in 1...15 {
                left <<= 1
                left -= counts[length]
                guard left >= 0 else { throw .invalid("an over-subscribed Huffman code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }

        func decode(_ reader: inout BitReader) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for length in 1...15 {
                code |= try reader.bits(1)
                let count = counts[length]
                if code - first < count { return symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw .invalid("a code that is not in its Huffman table")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order the code-length code's lengths come in (RFC 1951 §3.2.7).
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static let fixed: (literals: Huffman, distances: Huffman) = {
        var lengths = [Int](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        // The fixed lengths are a complete code: these cannot fail.
        return (try! Huffman(lengths: lengths), try! Huffman(lengths: [Int](repeating: 5, count: 30)))
    }()

    // MARK: - Blocks

    static func inflate(_ reader: inout BitReader, limit: Int) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var last = false
        while !last {
            last = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0: try stored(&reader, into: &out, limit: limit)
            case 1: try codes(&reader, fixed.literals, fixed.distances, into: &out, limit: limit)
            case 2:
                let (literals, distances) = try dynamicCodes(&reader)
                try codes(&reader, literals, distances, into: &out, limit: limit)
            default: throw .invalid("block type 3 does not exist")
            }
        }
        return out
    }

    static func stored(_ reader: inout BitReader, into out: inout [UInt8], limit: Int) throws(Failure) {
        reader.align()
        guard reader.index + 4 <= reader.bytes.count else { throw .truncated }
        let b = reader.bytes, i = reader.index
        let length = Int(b[i]) | Int(b[i + 1]) << 8
        let complement = Int(b[i + 2]) | Int(b[i + 3]) << 8
        guard length == (~complement & 0xFFFF) else { throw .invalid("a stored block's length does not match its complement") }
        reader.index += 4
        guard reader.index + length <= b.count else { throw .truncated }
        guard out.count + length <= limit else { throw .tooLarge(limit: limit) }
        out += b[reader.index..<reader.index + length]
        reader.index += length
    }

    static func dynamicCodes(_ reader: inout BitReader) throws(Failure) -> (Huffman, Huffman) {
        let literalCount = try reader.bits(5) + 257
        let distanceCount = try reader.bits(5) + 1
        let codeLengthCount = try reader.bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .invalid("too many length or distance codes") }
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengths[codeLengthOrder[index]] = try reader.bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try lengthCode.decode(&reader)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw .invalid("a repeat with nothing before it") }
                lengths += [Int](repeating: previous, count: 3 + (try reader.bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try reader.bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try reader.bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw .invalid("code lengths run past their count") }
        guard lengths[256] != 0 else { throw .invalid("no code for the end of the block") }
        return (try Huffman(lengths: Array(lengths[0..<literalCount])), try Huffman(lengths: Array(lengths[literalCount...])))
    }

    static func codes(_ reader: inout BitReader, _ literals: Huffman, _ distances: Huffman, into out: inout [UInt8], limit: Int) throws(Failure) {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                guard out.count < limit else { throw .tooLarge(limit: limit) }
                out.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < lengthBase.count else { throw .invalid("a length code past 285") }
            let length = lengthBase[lengthIndex] + (try reader.bits(lengthExtra[lengthIndex]))
            let distanceSymbol = try distances.decode(&reader)
            guard distanceSymbol < distanceBase.count else { throw .invalid("a distance code past 29") }
            let distance = distanceBase[distanceSymbol] + (try reader.bits(distanceExtra[distanceSymbol]))
            guard distance <= out.count else { throw .invalid("a distance back past the start of the data") }
            guard out.count + length <= limit else { throw .tooLarge(limit: limit) }
            let start = out.count - distance
            for offset in 0..<length { out.append(out[start + offset]) }
        }
    }
}
