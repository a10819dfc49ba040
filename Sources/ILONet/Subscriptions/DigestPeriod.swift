/// Period arithmetic for digests, in UTC. Periods end at `atMinute` (minutes
/// after midnight): every hour at that minute past (hourly), every day at that
/// time (daily), every Monday at that time (weekly).
public enum DigestPeriod {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    public static func length(_ period: String) -> Int64 {
        switch period {
        case "hourly": hour
        case "weekly": 7 * day
        default: day
        }
    }

    /// The latest period end at or before `now`.
    public static func latestEnd(_ period: String, atMinute: Int, now: Int64) -> Int64 {
        let dayStart = now - now % day
        var end: Int64
        switch period {
        case "hourly":
            end = now - now % hour + Int64(atMinute % 60) * 60_000
        case "weekly":
            let weekday = (now / day + 3) % 7  // 1970-01-01 was a Thursday; Monday = 0
            end = dayStart - weekday * day + Int64(atMinute) * 60_000
        default:
            end = dayStart + Int64(atMinute) * 60_000
        }
        if end > now { end -= length(period) }
        return end
    }
}
