/// Reconnection delays: exponential, capped, with jitter so that many posts
/// coming back after an outage do not all knock at once.
public struct Backoff: Sendable {
    public let initial: Double
    public let maximum: Double

    public init(initial: Double, maximum: Double) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before attempt number `failures + 1`: a random value between half
    /// and all of min(maximum, initial · 2^failures).
    public func delay(afterFailures failures: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let ceiling = min(maximum, initial * Double(1 << min(failures, 30)))
        return ceiling * (0.5 + 0.5 * random)
    }
}
