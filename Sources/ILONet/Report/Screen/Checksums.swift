/// The check digits that let the screen recognise an identifier with confidence
/// rather than by shape alone: an IBAN's mod 97, Luhn for payment cards and
/// IMEIs, ICAO 9303 MRZ check digits, Base58Check and Bech32 for wallets.
enum Checksums {
    /// ISO 13616: move the first four characters to the end, letters to 10…35,
    /// and the number modulo 97 is 1.
    static func ibanValid(_ characters: [UInt8]) -> Bool {
        guard (15...34).contains(characters.count) else { return false }
        var remainder = 0
        for c in characters[4...] + characters[..<4] {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): remainder = (remainder * 10 + Int(c - 48)) % 97
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): remainder = (remainder * 100 + Int(c - 55)) % 97
            default: return false
            }
        }
        return remainder == 1
    }

    /// ISO/IEC 7812 (payment cards) and 3GPP TS 23.003 (IMEI) use the same check.
    static func luhnValid(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 2 else { return false }
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var d = Int(digit)
            if index % 2 == 1 {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
        }
        return sum % 10 == 0
    }

    /// ICAO Doc 9303 part 3 §4.9: weights 7, 3, 1; `<` counts 0, letters 10…35.
    static func mrzCheckDigit(_ field: ArraySlice<UInt8>) -> UInt8? {
        var sum = 0
        for (index, c) in field.enumerated() {
            let value: Int
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(c - 48)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = Int(c - 55)
            case UInt8(ascii: "<"): value = 0
            default: return nil
            }
            sum += value * [7, 3, 1][index % 3]
        }
        return UInt8(sum % 10) + 48
    }

    /// Whether `line[range]` is followed by its correct check digit.
    static func mrzField(_ line: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.upperBound < line.count, let digit = mrzCheckDigit(line[range]) else { return false }
        // A field of fillers only has check digit 0 or `<`; it proves nothing.
        if line[range].allSatisfy({ $0 == UInt8(ascii: "<") }) { return false }
        return line[range.upperBound] == digit
    }

    private static let base58Alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let base58Index: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in base58Alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    static func isBase58(_ c: UInt8) -> Bool { c < 128 && base58Index[Int(c)] >= 0 }

    /// Bitcoin-style Base58Check: the last four bytes are the first four of
    /// SHA-256(SHA-256(payload)).
    static func base58CheckValid(_ text: [UInt8]) -> Bool {
        guard text.count >= 25, text.count <= 40 else { return false }
        var bytes: [UInt8] = []  // big-endian, little work for ≤ 40 characters
        for c in text {
            guard isBase58(c) else { return false }
            var carry = Int(base58Index[Int(c)])
            for i in stride(from: bytes.count - 1, through: 0, by: -1) {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.insert(UInt8(carry & 0xFF), at: 0)
                carry >>= 8
            }
        }
        let zeros = text.prefix { $0 == UInt8(ascii: "1") }.count
        bytes = [UInt8](repeating: 0, count: zeros) + bytes
        guard bytes.count >= 5 else { return false }
        let payload = Array(bytes.dropLast(4))
        return Array(sha256(sha256(payload)).prefix(4)) == Array(bytes.suffix(4))
    }

    private static let bech32Alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// BIP 173 / BIP 350: Bech32 or Bech32m checksum over a lower-case address.
    static func bech32Valid(_ text: [UInt8]) -> Bool {
        guard let separator = text.lastIndex(of: UInt8(ascii: "1")), separator > 0, text.count - separator > 7, text.count <= 90 else { return false }
        let hrp = text[..<separator]
        var values: [UInt32] = hrp.map { UInt32($0 >> 5) } + [0] + hrp.map { UInt32($0 & 31) }
        for c in text[(separator + 1)...] {
            guard let v = bech32Alphabet.firstIndex(of: c) else { return false }
            values.append(UInt32(v))
        }
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var check: UInt32 = 1
        for v in values {
            let top = check >> 25
            check = (check & 0x1ff_ffff) << 5 ^ v
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { check ^= generator[i] }
        }
        return check == 1 || check == 0x2bc8_30a3
    }
}
