import Glibc

/// UTC instants as Unix milliseconds, written as RFC 3339 (`2026-11-22T15:21:38.120Z`).
public enum Timestamp {
    /// A human age, as `ilo` and the web view show it: 42s, 5m, 3h, 12d.
    public static func age(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86400 { return "\(seconds / 3600)h" }
        return "\(seconds / 86400)d"
    }

    public static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }

    /// Monotonic clock in nanoseconds, for deadlines and measurements.
    public static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// The instants ILONet reads from the wire and from files: 1970-01-01T00:00:00Z
    /// to 9999-12-31T23:59:59.999Z. Anything outside is refused or clamped here.
    public static let earliest: Int64 = 0
    public static let latest: Int64 = 253_402_300_799_999

    /// `alwaysMilliseconds`: `.000` too (log lines, which line up).
    public static func format(milliseconds: Int64, alwaysMilliseconds: Bool = false) -> String {
        // Floor division: a date before 1970 (a date of birth) is still written correctly.
        let clamped = min(milliseconds, latest)
        let (quotient, remainder) = clamped.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        let millis = Int(remainder < 0 ? remainder + 1000 : remainder)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year) else { return formatPadded(year: year, parts, millis, alwaysMilliseconds: alwaysMilliseconds) }
        // Written byte by byte into one string: the store formats several
        // instants for each report it takes (docs/PERFORMANCE.md, issue 32).
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var at = 0
            func put(_ n: Int, _ width: Int) {
                var n = n, i = at + width
                while i > at {
                    i -= 1
                    buffer[i] = UInt8(0x30 + n % 10)
                    n /= 10
                }
                at += width
            }
            func put(_ scalar: Unicode.Scalar) {
                buffer[at] = UInt8(ascii: scalar)
                at += 1
            }
            put(year, 4); put("-"); put(Int(parts.tm_mon) + 1, 2); put("-"); put(Int(parts.tm_mday), 2); put("T")
            put(Int(parts.tm_hour), 2); put(":"); put(Int(parts.tm_min), 2); put(":"); put(Int(parts.tm_sec), 2)
            if millis != 0 || alwaysMilliseconds { put("."); put(millis, 3) }
            put("Z")
            return at
        }
    }

    /// The same text for a year outside 0…9999: only one before year 0 (`latest` clamps the other end).
    private static func formatPadded(year: Int, _ parts: tm, _ millis: Int, alwaysMilliseconds: Bool) -> String {
        func pad(_ n: Int, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(year, 4))-\(pad(Int(parts.tm_mon) + 1))-\(pad(Int(parts.tm_mday)))T"
            + "\(pad(Int(parts.tm_hour))):\(pad(Int(parts.tm_min))):\(pad(Int(parts.tm_sec)))"
        if millis != 0 || alwaysMilliseconds { text += ".\(pad(millis, 3))" }
        return text + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC only, as ILONet writes it), from
    /// `earliestYear` (1970: `earliest`) to 9999.
    public static func parse(_ text: String) -> Int64? { parse(text, earliestYear: 1970) }

    public static func parse(_ text: String, earliestYear: Int) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b.last == UInt8(ascii: "Z"), b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            year >= earliestYear, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var millis = 0
        if b.count > 20 {
            guard b[19] == UInt8(ascii: "."), b.count - 21 >= 1, b.count - 21 <= 3, let fraction = number(20..<(b.count - 1)) else {
                return nil
            }
            millis = fraction * [1, 100, 10, 1][b.count - 21]
        } else if b.count != 20 {
            return nil
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises 31 April to 1 May; refuse dates that do not exist.
        var check = tm()
        var back = seconds
        gmtime_r(&back, &check)
        guard check.tm_mday == Int32(day), check.tm_mon == Int32(month - 1) else { return nil }
        return Int64(seconds) * 1000 + Int64(millis)
    }
}
