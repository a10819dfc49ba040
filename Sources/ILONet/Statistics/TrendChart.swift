import Foundation

/// A trend as an SVG chart (docs/REPORTS.md §9.1): stacked bars per period, one
/// colour per series, the total written above each bar, a legend, and a
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
        let totals = trend.totals
        let peak = max(1, totals.max() ?? 1)
        let barWidth = 18, gap = 6, left = 48, top = 24, height = 200
        let legendHeight = 18 * ((trend.series.count + 3) / 4)
        // Wide enough for the bars and for a legend row of up to four series.
        let legendWidth = trend.by == .none ? 0 : left + min(4, trend.series.count) * 150 + 8
        let width = max(left + max(1, periods.count) * (barWidth + gap) + 16, legendWidth)
        let fullHeight = top + height + 70 + legendHeight
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(fullHeight)" viewBox="0 0 \(width) \(fullHeight)" role="img" aria-labelledby="chart-title" font-family="sans-serif" font-size="11">
            <title id="chart-title">\(TrendChart.escape("Reports per \(trend.every.rawValue), \(trend.from) to \(trend.to)\(trend.by == .none ? "" : ", by \(trend.by.rawValue)")"))</title>
            <line x1="\(left)" y1="\(top + height)" x2="\(width - 8)" y2="\(top + height)" stroke="#444"/>
            <text x="\(left - 6)" y="\(top + 4)" text-anchor="end">\(peak)</text>
            <text x="\(left - 6)" y="\(top + height)" text-anchor="end">0</text>

            """
        for (i, period) in periods.enumerated() {
            let x = left + i * (barWidth + gap) + gap / 2
            var y = top + height
            for (s, series) in trend.series.enumerated() where series.counts[i] > 0 {
                let h = max(1, Int((Double(series.counts[i]) / Double(peak) * Double(height)).rounded()))
                y -= h
                out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(h)\" fill=\"\(TrendChart.palette[s % TrendChart.palette.count])\">"
                out += "<title>\(TrendChart.escape("\(period) \(series.name): \(series.counts[i])"))</title></rect>\n"
            }
            out += "<text x=\"\(x + barWidth / 2)\" y=\"\(y - 3)\" text-anchor=\"middle\">\(totals[i])</text>\n"
            out += "<text x=\"\(x + barWidth / 2)\" y=\"\(top + height + 10)\" text-anchor=\"end\" transform=\"rotate(-60 \(x + barWidth / 2) \(top + height + 10))\">\(TrendChart.escape(period))</text>\n"
        }
        if trend.by != .none {
            for (s, series) in trend.series.enumerated() {
                let x = left + (s % 4) * 150, y = top + height + 64 + (s / 4) * 18
                out += "<rect x=\"\(x)\" y=\"\(y - 10)\" width=\"10\" height=\"10\" fill=\"\(TrendChart.palette[s % TrendChart.palette.count])\"/>"
                out += "<text x=\"\(x + 14)\" y=\"\(y)\">\(TrendChart.escape(series.name)) (\(series.counts.reduce(0, +)))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// `text` safe inside XML or HTML text and attribute values (`HTML.escape`).
    public static func escape(_ text: String) -> String { HTML.escape(text) }
}
