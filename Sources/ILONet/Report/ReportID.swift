import Glibc
import Synchronization

/// A report's globally unique, time-ordered id: a UUIDv7 (RFC 9562).
///
/// 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids made in the
/// same millisecond by one process in order (RFC 9562 §6.2, method 1), then 62
/// random bits. Sorting the text form sorts by creation time.
public struct ReportID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    private static let generatorState = Mutex<(millis: UInt64, counter: UInt64)>((0, 0))

    /// A new id for the current time.
    public static func generate() -> ReportID {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let wallMillis = UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec / 1_000_000)
        var rng = SystemRandomNumberGenerator()
        let (millis, counter) = generatorState.withLock { state -> (UInt64, UInt64) in
            if wallMillis > state.millis {
                state = (wallMillis, UInt64.random(in: 0..<0x800, using: &rng))
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                state = (state.millis + 1, 0)  // counter exhausted: borrow the next millisecond
            }
            return state
        }
        let high = (millis << 16) | (0x7 << 12) | counter
        let low = (UInt64(0b10) << 62) | (rng.next() >> 2)
        return ReportID(high: high, low: low)
    }

    /// Unix milliseconds at which the id was made.
    public var milliseconds: UInt64 { high >> 16 }

    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return nil }
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(32)
        for (i, byte) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibbles.append(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibbles.append(byte - UInt8(ascii: "a") + 10)
            default: return nil  // lower case only: one text form per id
            }
        }
        var high: UInt64 = 0, low: UInt64 = 0
        for n in nibbles[0..<16] { high = high << 4 | UInt64(n) }
        for n in nibbles[16..<32] { low = low << 4 | UInt64(n) }
        guard (high >> 12) & 0xF == 7, low >> 62 == 0b10 else { return nil }
        self.init(high: high, low: low)
    }

    public var description: String {
        // Written straight into the string's storage: the store binds and
        // audits ids several times per report (issue 32).
        String(unsafeUninitializedCapacity: 36) { out in
            var position = 0
            func hex(_ word: UInt64, nibbles: Range<Int>) {
                for n in nibbles {
                    let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * n)) & 0xF
                    out[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                    position += 1
                }
            }
            func dash() {
                out[position] = UInt8(ascii: "-")
                position += 1
            }
            hex(high, nibbles: 0..<8)
            dash()
            hex(high, nibbles: 8..<12)
            dash()
            hex(high, nibbles: 12..<16)
            dash()
            hex(low, nibbles: 0..<4)
            dash()
            hex(low, nibbles: 4..<16)
            return position
        }
    }

    public static func < (a: ReportID, b: ReportID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
