extension HTMLReport {
    /// "Badges checked before sending": each definition the preflight read and the rows it kept
    /// back; nothing when the run had no preflight.
    static func badges(_ s: RunSummary) -> String {
        guard let badges = s.badges else { return "" }
        var out = "<section>\n<h2>Badges checked before sending</h2>\n"
        guard !badges.isEmpty else { return out + "<p class=\"empty\">No row needed a badge read.</p>\n</section>\n" }
        out += "<table class=\"grid\"><thead><tr><th>Badge</th><th>Definition</th><th>Window</th><th>Claims</th>"
            + "<th class=\"num\">Rows not sent</th></tr></thead><tbody>\n"
        for badge in badges {
            let definition: String
            switch badge.outcome {
            case "defined":
                definition = [badge.name.map { esc($0) }, badge.status.map { esc($0) },
                              badge.active.map { $0 ? "active" : "<strong>not active</strong>" }, badge.earnType.map { esc($0) }]
                    .compactMap { $0 }.joined(separator: ", ")
            case "unknown":
                definition = "<strong>unknown to the API</strong> (\(esc(badge.problem ?? "")))"
            default:
                definition = "could not be read, rows sent unchecked: \(esc(badge.problem ?? ""))"
            }
            let window = badge.outcome == "defined" ? "\(esc(badge.startOn ?? "open")) .. \(esc(badge.expiresOn ?? "open"))" : ""
            let claims = badge.claims.map { $0.isEmpty ? "none" : $0.map { "<code>\(esc($0))</code>" }.joined(separator: " ") } ?? ""
            out += "<tr data-badge=\"\(esc(badge.badgeMetaId))\" data-outcome=\"\(esc(badge.outcome))\" data-rows-rejected=\"\(badge.rowsRejected)\">"
                + "<td><code>\(esc(badge.badgeMetaId))</code></td><td>\(definition)</td><td>\(window)</td><td>\(claims)</td>"
                + "<td class=\"num\">\(ProgressLine.thousands(badge.rowsRejected))</td></tr>\n"
        }
        return out + "</tbody></table>\n</section>\n"
    }
}
