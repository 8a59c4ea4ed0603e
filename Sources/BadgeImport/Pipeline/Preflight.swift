import EarnAPI
import Logging

/// The run's preflight: before a badge's first row is sent, its definition is read once
/// (`GET .../badgeMeta/{id}`), and every row the definition shows would certainly be refused
/// is not sent but ends `rejected` with the code the API would give: 1054 unknown badge, 815
/// not active, 816 event date outside startOn..expiresOn, 810 triggeredBy matching none of the
/// claims. A field the answer lacks rejects nothing; a read that fails (403 for an access group
/// without read rights, 5xx after retries) is logged once and the badge's rows go out as usual.
///
/// Used by the planner on its own thread, so lookups are single-flight by construction: one
/// read per badge per run, made when the badge is first seen (so a stream needs no pre-scan).
final class Preflight {
    enum Lookup {
        case defined(BadgeDefinition)
        case unknown(code: String, message: String)
        case unavailable(String)
    }

    /// A row the definition refuses: the code and message the API would answer.
    struct Refusal: Equatable {
        var code: String
        var message: String
    }

    private let read: (String) -> Lookup
    private let logger: Logger
    private var lookups: [String: Lookup] = [:]
    private var order: [String] = []
    private var refused: [String: Int] = [:]

    /// - Parameter read: one read of a badge's definition (tests pass a table).
    init(logger: Logger, read: @escaping (String) -> Lookup) {
        self.read = read
        self.logger = logger
    }

    convenience init(reader: BadgeReader, control: RunControl, logger: Logger) {
        self.init(logger: logger) { id in
            switch reader.definition(of: id, shouldStop: { control.isStopping }) {
            case .found(let definition): return .defined(definition)
            case .unknown(let code, let message): return .unknown(code: code, message: message)
            case .failed(let problem, _): return .unavailable(problem)
            }
        }
    }

    /// nil when the row may be sent.
    func refusal(for row: EarnRow) -> Refusal? {
        let lookup: Lookup
        if let known = lookups[row.badgeMetaId] {
            lookup = known
        } else {
            lookup = read(row.badgeMetaId)
            lookups[row.badgeMetaId] = lookup
            order.append(row.badgeMetaId)
            if case .unavailable(let problem) = lookup {
                logger.warning("preflight: cannot read the badge's definition; its rows are sent without the check",
                               metadata: ["badgeMetaId": "\(row.badgeMetaId)", "problem": "\(problem)"])
            }
        }
        let refusal: Refusal?
        switch lookup {
        case .defined(let definition): refusal = Self.refusal(row, by: definition)
        case .unknown(let code, let message): refusal = Refusal(code: code, message: "\(message) (preflight: the API does not know badge \(row.badgeMetaId); not sent)")
        case .unavailable: refusal = nil
        }
        if refusal != nil { refused[row.badgeMetaId, default: 0] += 1 }
        return refusal
    }

    /// The decision, in the order the API checks: live, then the window, then the claims.
    static func refusal(_ row: EarnRow, by definition: BadgeDefinition) -> Refusal? {
        if definition.active == false {
            return Refusal(code: "815", message: "Badge is not live (preflight: its definition says active=false; not sent)")
        }
        // A row without a date is earned "now" by the server: no window to judge it by here.
        if let text = row.earnEventDate, let instant = EventInstant(iso8601: text)?.millisecondsSinceEpoch {
            let before = definition.startOnMillis.map { instant < $0 } ?? false
            let after = definition.expiresOnMillis.map { instant > $0 } ?? false
            if before || after {
                let start = definition.startOnMillis.map { EventInstant(millisecondsSinceEpoch: $0).utcString } ?? "open"
                let end = definition.expiresOnMillis.map { EventInstant(millisecondsSinceEpoch: $0).utcString } ?? "open"
                return Refusal(code: "816", message: "Earn event date is outside the badge's validity (preflight: \(text) is not within \(start)..\(end); not sent)")
            }
        }
        if let claims = definition.claims, !claims.isEmpty,
           !claims.contains(where: { $0.ownerType == row.ownerType.rawValue && $0.referenceId == row.referenceId }) {
            let listed = claims.map { "\($0.ownerType)/\($0.referenceId)" }.joined(separator: ", ")
            return Refusal(code: "810", message: "Badge needs to be claimed first (preflight: triggeredBy \(row.ownerType.rawValue)/\(row.referenceId) matches none of its claims: \(listed); not sent)")
        }
        return nil
    }

    /// Every badge looked up, in the order first seen, for the summary.
    var checks: [BadgeCheck] {
        order.map { id in
            let rows = refused[id] ?? 0
            switch lookups[id] {
            case .defined(let d):
                return BadgeCheck(
                    badgeMetaId: id, outcome: "defined", name: d.name, status: d.status, active: d.active, earnType: d.earnType,
                    startOn: d.startOnMillis.map { EventInstant(millisecondsSinceEpoch: $0).utcString },
                    expiresOn: d.expiresOnMillis.map { EventInstant(millisecondsSinceEpoch: $0).utcString },
                    claims: d.claims?.map { "\($0.ownerType)/\($0.referenceId)" }, rowsRejected: rows)
            case .unknown(let code, let message):
                return BadgeCheck(badgeMetaId: id, outcome: "unknown", problem: "\(code): \(message)", rowsRejected: rows)
            case .unavailable(let problem):
                return BadgeCheck(badgeMetaId: id, outcome: "unavailable", problem: problem, rowsRejected: rows)
            case .none:
                return BadgeCheck(badgeMetaId: id, outcome: "unavailable", rowsRejected: rows)
            }
        }
    }
}
