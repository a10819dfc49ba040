import ILONet

/// Latencies in microseconds, in log-linear buckets: 64 sub-buckets per power of
/// two, so a reported percentile is within about 1.6% of the true value.
/// Percentiles come from the buckets, never from an average.
public struct LatencyHistogram: Sendable {
    static let subBuckets = 64
    private var counts = [UInt64](repeating: 0, count: 64 * 40)
    public private(set) var count: UInt64 = 0
    public private(set) var maximum: UInt64 = 0

    public init() {}

    static func index(_ value: UInt64) -> Int {
        if value < UInt64(subBuckets) { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // >= 6
        let shift = exponent - 6
        let sub = Int((value >> UInt64(shift)) & 63)
        return (shift + 1) * subBuckets + sub
    }

    /// The largest value a bucket holds (a percentile is reported as its bucket's upper bound).
    static func upperBound(_ index: Int) -> UInt64 {
        if index < subBuckets { return UInt64(index) }
        let shift = index / subBuckets - 1
        let sub = UInt64(index % subBuckets)
        return ((sub | 64) << UInt64(shift)) + (UInt64(1) << UInt64(shift)) - 1
    }

    public mutating func record(microseconds value: UInt64) {
        let i = min(LatencyHistogram.index(value), counts.count - 1)
        counts[i] += 1
        count += 1
        maximum = max(maximum, value)
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        count += other.count
        maximum = max(maximum, other.maximum)
    }

    /// The value below which `fraction` of the recorded values lie, in microseconds.
    public func percentile(_ fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let target = UInt64((Double(count) * fraction).rounded(.up))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= max(1, target) { return min(LatencyHistogram.upperBound(i), maximum) }
        }
        return maximum
    }

    /// p50, p90, p99, p99.9 and max in milliseconds.
    public var json: JSONValue {
        func ms(_ us: UInt64) -> JSONValue { .number(Double(us) / 1000) }
        return [
            "count": .integer(Int64(count)), "p50_ms": ms(percentile(0.5)), "p90_ms": ms(percentile(0.9)), "p99_ms": ms(percentile(0.99)),
            "p999_ms": ms(percentile(0.999)), "max_ms": ms(maximum),
        ]
    }
}
