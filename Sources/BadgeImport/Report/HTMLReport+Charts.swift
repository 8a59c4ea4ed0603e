import Foundation

/// The report's charts, drawn as inline SVG so the page needs no script and no network.
extension HTMLReport {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    static let chartWidth = 1000.0, chartHeight = 260.0
    static let plotLeft = 64.0, plotRight = 56.0, plotTop = 16.0, plotBottom = 36.0

    /// A time-series chart: x in seconds since start, primary series on the left axis, an optional
    /// secondary series (a gauge such as in-flight) on the right axis.
    static func lineChart(id: String, series: [Series], secondary: Series?, yUnit: String) -> String {
        let all = series.flatMap(\.points)
        guard all.count >= 1 else {
            return "<p class=\"empty\" data-chart=\"\(id)\" data-points=\"0\">No timeline was recorded for this run.</p>"
        }
        let xMax = max(all.map(\.x).max() ?? 1, 1)
        let ticks = axisTicks(all.map(\.y).max() ?? 1)
        let yMax = ticks.last!
        let w = chartWidth - plotLeft - plotRight, h = chartHeight - plotTop - plotBottom
        func px(_ x: Double) -> Double { plotLeft + x / xMax * w }
        func py(_ y: Double, _ top: Double) -> Double { plotTop + h - (top > 0 ? y / top : 0) * h }

        var svg = "<svg class=\"chart\" data-chart=\"\(id)\" data-points=\"\(series.first?.points.count ?? 0)\" viewBox=\"0 0 \(Int(chartWidth)) \(Int(chartHeight))\" role=\"img\" aria-label=\"\(esc(id)) chart\">\n"
        // Grid and y labels.
        for v in ticks {
            let y = py(v, yMax)
            svg += "<line class=\"grid\" x1=\"\(f(plotLeft))\" x2=\"\(f(plotLeft + w))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(f(plotLeft - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(esc(number(v)))</text>\n"
        }
        svg += "<text class=\"axis\" x=\"14\" y=\"\(f(plotTop + h / 2))\" transform=\"rotate(-90 14 \(f(plotTop + h / 2)))\" text-anchor=\"middle\">\(esc(yUnit))</text>\n"
        // X labels: elapsed time.
        for i in 0...5 {
            let x = xMax * Double(i) / 5
            svg += "<text class=\"axis\" x=\"\(f(px(x)))\" y=\"\(f(plotTop + h + 22))\" text-anchor=\"middle\">\(esc(ProgressLine.duration(x)))</text>"
        }
        svg += "<line class=\"baseline\" x1=\"\(f(plotLeft))\" x2=\"\(f(plotLeft + w))\" y1=\"\(f(plotTop + h))\" y2=\"\(f(plotTop + h))\"/>\n"

        if let secondary, !secondary.points.isEmpty {
            // Same number of intervals as the left axis, so the grid lines serve both.
            let intervals = Double(ticks.count - 1)
            let secondaryTicks = axisTicks(secondary.points.map(\.y).max() ?? 1)
            let top = max(secondaryTicks.last!, (secondaryTicks[1] * intervals))
            svg += polyline(secondary, px: px, py: { py($0, top) }, extraClass: "secondary")
            for i in 0...Int(intervals) {
                let v = top * Double(i) / intervals
                svg += "<text class=\"axis secondary-axis\" x=\"\(f(plotLeft + w + 8))\" y=\"\(f(py(v, top) + 4))\">\(esc(number(v)))</text>"
            }
            svg += "\n"
        }
        for s in series { svg += polyline(s, px: px, py: { py($0, yMax) }, extraClass: "") }
        svg += "</svg>\n<ul class=\"legend\">"
        for s in series + (secondary.map { [$0] } ?? []) {
            svg += "<li><i class=\"line\(s.dashed ? " dashed" : "")\" style=\"border-color:\(s.color)\"></i>\(esc(s.name))\(s.name == secondary?.name ? " (right axis)" : "")</li>"
        }
        return svg + "</ul>\n"
    }

    static func polyline(_ s: Series, px: (Double) -> Double, py: (Double) -> Double, extraClass: String) -> String {
        let points = s.points.count == 1 ? [(x: 0, y: s.points[0].y), s.points[0]] : s.points
        let coords = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
        return "<polyline class=\"series \(extraClass)\" fill=\"none\" stroke=\"\(s.color)\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(coords)\"/>\n"
    }

    /// Bars per log-spaced bucket (equal widths: the buckets are log-spaced already), with the
    /// percentiles drawn where they fall inside their bucket.
    static func histogramChart(_ l: LatencySummary) -> String {
        guard !l.histogram.isEmpty, l.count > 0 else {
            return "<p class=\"empty\" data-chart=\"latency\" data-points=\"0\">No request was sent.</p>\n"
        }
        let buckets = l.histogram
        let step = pow(10, 1.0 / Double(LatencyRecorder.bucketsPerDecade))
        let lowers = buckets.indices.map { $0 == 0 ? buckets[0].upperMs / step : buckets[$0 - 1].upperMs }
        let w = chartWidth - plotLeft - plotRight, h = chartHeight - plotTop - plotBottom
        let barWidth = w / Double(buckets.count)
        let ticks = axisTicks(Double(buckets.map(\.count).max() ?? 1))
        let yMax = ticks.last!

        var svg = "<svg class=\"chart\" data-chart=\"latency\" data-points=\"\(buckets.count)\" viewBox=\"0 0 \(Int(chartWidth)) \(Int(chartHeight))\" role=\"img\" aria-label=\"latency histogram\">\n"
        for v in ticks {
            let y = plotTop + h - v / yMax * h
            svg += "<line class=\"grid\" x1=\"\(f(plotLeft))\" x2=\"\(f(plotLeft + w))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(f(plotLeft - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(esc(number(v)))</text>\n"
        }
        svg += "<text class=\"axis\" x=\"14\" y=\"\(f(plotTop + h / 2))\" transform=\"rotate(-90 14 \(f(plotTop + h / 2)))\" text-anchor=\"middle\">requests</text>\n"
        let labelEvery = max(1, buckets.count / 8)
        for (i, b) in buckets.enumerated() {
            let x = plotLeft + Double(i) * barWidth
            let bh = Double(b.count) / yMax * h
            svg += "<rect class=\"bucket\" x=\"\(f(x + 1))\" y=\"\(f(plotTop + h - bh))\" width=\"\(f(max(1, barWidth - 2)))\" height=\"\(f(bh))\" data-upper-ms=\"\(b.upperMs)\" data-count=\"\(b.count)\"><title>\(esc(milliseconds(lowers[i]))) – \(esc(milliseconds(b.upperMs))): \(ProgressLine.thousands(b.count))</title></rect>"
            if i % labelEvery == 0 || i == buckets.count - 1 {
                svg += "<text class=\"axis\" x=\"\(f(x + barWidth))\" y=\"\(f(plotTop + h + 22))\" text-anchor=\"middle\">\(esc(milliseconds(b.upperMs)))</text>"
            }
            svg += "\n"
        }
        svg += "<line class=\"baseline\" x1=\"\(f(plotLeft))\" x2=\"\(f(plotLeft + w))\" y1=\"\(f(plotTop + h))\" y2=\"\(f(plotTop + h))\"/>\n"
        // Percentile markers: the bucket a value falls in, then its log position inside it.
        func xOf(_ value: Double) -> Double {
            guard let i = buckets.indices.first(where: { value <= buckets[$0].upperMs }) else { return plotLeft + w }
            let lo = lowers[i], hi = buckets[i].upperMs
            let inside = hi > lo && value > lo && lo > 0 ? log(value / lo) / log(hi / lo) : (value <= lo ? 0 : 1)
            return plotLeft + (Double(i) + min(max(inside, 0), 1)) * barWidth
        }
        for (offset, (name, value, color)) in [("p50", l.p50, "#1565c0"), ("p95", l.p95, "#ef6c00"), ("p99", l.p99, "#c62828")].enumerated() {
            let x = xOf(value)
            let labelY = plotTop + 12 + Double(offset) * 14
            svg += "<line class=\"marker\" data-marker=\"\(name)\" x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(plotTop))\" y2=\"\(f(plotTop + h))\" stroke=\"\(color)\"/>"
            let anchor = x > plotLeft + w * 0.8 ? "end" : "start"
            let dx = anchor == "end" ? -4.0 : 4.0
            svg += "<text class=\"marker-label\" x=\"\(f(x + dx))\" y=\"\(f(labelY))\" fill=\"\(color)\" text-anchor=\"\(anchor)\">\(name) \(esc(milliseconds(value)))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
