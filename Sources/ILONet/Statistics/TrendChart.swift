import Foundation

/// A trend as an SVG chart (docs/REPORTS.md §9.1): stacked bars per period, one
/// colour per series, the total written above each bar that has one, periods
/// labelled with dates ("30 Nov") that never overlap, a legend, and a
/// `<title>` per bar segment with its number. Self-contained (no script, no
/// external font or stylesheet), so it can be served under a strict
/// Content-Security-Policy or opened from disk; every text is XML-escaped.
public struct TrendChart: Sendable {
    public let trend: Trend

    public init(_ trend: Trend) { self.trend = trend }

    /// Eight colours distinguishable in print and for common colour blindness (Okabe–Ito).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    public var svg: String {
        let periods = trend.periods
        let labels = trend.shortLabels.count == periods.count ? trend.shortLabels : periods
        let totals = trend.totals
        let peak = max(1, totals.max() ?? 1)
        // Bars far enough apart for a horizontal label each ("30 Nov", 11 px type); with
        // more periods than fit, narrower bars and a label on every second or third.
        let pitch = periods.count <= 26 ? 44 : 24
        let barWidth = pitch - 10, left = 48, top = 24, height = 200
        let labelEvery = Int((44.0 / Double(pitch)).rounded(.up))
        let legendHeight = 18 * ((trend.series.count + 3) / 4)
        // Wide enough for the bars and for a legend row of up to four series.
        let legendWidth = trend.by == .none ? 0 : left + min(4, trend.series.count) * 150 + 8
        let width = max(left + max(1, periods.count) * pitch + 16, legendWidth)
        let fullHeight = top + height + 40 + legendHeight
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(fullHeight)" viewBox="0 0 \(width) \(fullHeight)" role="img" aria-labelledby="chart-title" font-family="sans-serif" font-size="11">
            <title id="chart-title">\(TrendChart.escape("Reports per \(trend.every.rawValue), \(trend.from) to \(trend.to)\(trend.by == .none ? "" : ", by \(trend.by.rawValue)")"))</title>
            <line x1="\(left)" y1="\(top + height)" x2="\(width - 8)" y2="\(top + height)" stroke="#444"/>
            <text x="\(left - 6)" y="\(top + 4)" text-anchor="end">\(peak)</text>
            <text x="\(left - 6)" y="\(top + height)" text-anchor="end">0</text>
            <text x="\(left - 6)" y="\(top + height + 14)" text-anchor="end" fill="#555">\(trend.every == .week ? "week of" : "")</text>

            """
        for (i, period) in periods.enumerated() {
            let x = left + i * pitch + 5
            var y = top + height
            for (s, series) in trend.series.enumerated() where series.counts[i] > 0 {
                let h = max(1, Int((Double(series.counts[i]) / Double(peak) * Double(height)).rounded()))
                y -= h
                out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(h)\" fill=\"\(TrendChart.palette[s % TrendChart.palette.count])\">"
                out += "<title>\(TrendChart.escape("\(i < trend.labels.count ? trend.labels[i] : period) \(series.name): \(series.counts[i])"))</title></rect>\n"
            }
            // The value on each bar that has one; a period with none stays bare.
            if totals[i] > 0 { out += "<text x=\"\(x + barWidth / 2)\" y=\"\(y - 3)\" text-anchor=\"middle\">\(totals[i])</text>\n" }
            if i % labelEvery == 0 {
                out += "<text x=\"\(x + barWidth / 2)\" y=\"\(top + height + 14)\" text-anchor=\"middle\">\(TrendChart.escape(labels[i]))</text>\n"
            }
        }
        if trend.by != .none {
            for (s, series) in trend.series.enumerated() {
                let x = left + (s % 4) * 150, y = top + height + 36 + (s / 4) * 18
                out += "<rect x=\"\(x)\" y=\"\(y - 10)\" width=\"10\" height=\"10\" fill=\"\(TrendChart.palette[s % TrendChart.palette.count])\"/>"
                out += "<text x=\"\(x + 14)\" y=\"\(y)\">\(TrendChart.escape(series.name)) (\(series.counts.reduce(0, +)))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// `text` safe inside XML or HTML text and attribute values (`HTML.escape`).
    public static func escape(_ text: String) -> String { HTML.escape(text) }
}
