import EarnAPI
import Foundation
import Logging

/// `validate --check-badges`: every row `run` would send is judged by the run's own preflight
/// (one read per distinct badge, cached), so validate and run never disagree on what the API
/// would refuse. Refused rows are counted by code and written to rejected.csv in invalid.csv's
/// layout; a badge whose definition cannot be read judges nothing (the preflight warns).
final class BadgeRefusals {
    private let preflight: Preflight
    private let writer: CSVWriter?
    private let layout: ColumnUnion
    private(set) var byCode: [String: Int] = [:]

    init(preflight: Preflight, reportDirectory: String?, layout: ColumnUnion) throws(InputError) {
        self.preflight = preflight
        self.layout = layout
        guard let reportDirectory else {
            writer = nil
            return
        }
        do {
            writer = try CSVWriter(path: reportDirectory + "/rejected.csv", header: ["source", "line", "field", "reason"] + layout.columns)
        } catch {
            throw InputError(path: "", message: error.description)
        }
    }

    /// The preflight of a run against `api`: its auth, its retries, a limiter of its own.
    convenience init(api: RunOptions, reportDirectory: String?, layout: ColumnUnion, logger: Logger) throws(InputError) {
        let reader: BadgeReader
        do {
            let makeTransport = { try CurlTransport(options: CurlTransport.Options(caFile: api.caFile)) }
            let auth = try EarnAuth.from(api.auth, baseURL: api.baseURL, clock: .system, makeTransport: makeTransport)
            reader = BadgeReader(baseURL: api.baseURL, auth: auth, transport: try makeTransport(),
                                 policy: SendPolicy(maxAttempts: api.maxAttempts, timeout: api.timeout,
                                                    backoff: Backoff(base: api.backoffBase, cap: api.backoffCap)),
                                 limiter: RateLimiter(mode: api.rate.map { .fixed($0) } ?? .adaptive(ceiling: nil), clock: .system),
                                 clock: .system, random: .system)
        } catch {
            throw InputError(path: "", message: "cannot reach the API to check badges: \(error)")
        }
        try self.init(preflight: Preflight(reader: reader, control: RunControl(), logger: logger),
                      reportDirectory: reportDirectory, layout: layout)
    }

    /// Judges a row `run` would send (a repeat or a row cut short is never sent).
    func judge(_ event: InputScan.Event, inputIndex: Int) {
        guard case .valid(let row, let original) = event, let refusal = preflight.refusal(for: row) else { return }
        byCode[refusal.code, default: 0] += 1
        writer?.write([row.source, String(row.line), Self.field(of: refusal.code), "\(refusal.code): \(refusal.message)"]
                      + layout.place(original, from: inputIndex))
    }

    /// Every badge looked up, in the order first seen.
    var badges: [BadgeCheck] { preflight.checks }

    func finish() throws(ReportError) {
        try writer?.finish()
    }

    /// The input field the refusal is about.
    private static func field(of code: String) -> String {
        switch code {
        case "816": return "earnEventDate"
        case "810": return "triggeredBy"
        default: return "badgeMetaId"
        }
    }
}
