import Foundation
import EarnAPI

/// The badges the mock knows, loaded from a JSON file (`mock-server --badges FILE`,
/// `MockConfiguration.catalog`). Without a catalog, any 24-hex id is a live direct-earn badge
/// with no window, no claim and 365 days of validity.
///
/// File format (sample: `samples/badges.json`):
/// ```json
/// {"badges": [
///   {"id": "66276dc68fe258516a88ff8e",   // 24 hex, required, unique
///    "name": "Welcome",                   // optional, for people
///    "earnType": "EARN",                  // "EARN" (direct) or "ISSUE_EARN" (enrol first); default EARN
///    "start": "2023-01-01T00:00:00Z",     // optional ISO 8601 instant or bare date (start of day, UTC)
///    "end": "2027-12-31",                 // optional; a bare date means the end of that day (UTC)
///    "live": true,                        // optional, default true; false answers 815
///    "issuedCustomers": [62090013],       // ISSUE_EARN only: customers enrolled; others get 811
///    "claims": [{"ownerType": "Loyalty_Promotion", "referenceId": "PROMO-2024"}],
///                                         // optional; if any, triggeredBy must equal one, else 810
///    "expiryDays": 365}                   // optional, default 365: expiresOn = earn time + days
/// ]}
/// ```
/// An event date outside start..end answers 816; an id not in the catalog answers 1054.
/// Customer ids may be numbers or digit strings.
public struct BadgeCatalog: Sendable, Equatable {
    public struct Claim: Sendable, Equatable, Codable {
        public var ownerType: OwnerType
        public var referenceId: String
    }

    public enum EarnType: String, Sendable, Codable {
        /// Direct earn: works on its own.
        case earn = "EARN"
        /// Issue and earn: the customer must have been issued (enrolled) first, else 811.
        case issueEarn = "ISSUE_EARN"
    }

    public struct Badge: Sendable, Equatable {
        public var id: String
        /// For people, and for the badge definition the mock serves.
        public var name: String?
        public var earnType: EarnType
        /// Window in epoch milliseconds (UTC), inclusive; nil is open-ended.
        public var startMillis: Int64?
        public var endMillis: Int64?
        public var live: Bool
        public var issuedCustomers: Set<Int64>
        public var claims: [Claim]
        public var expiryDays: Int

        public init(id: String, earnType: EarnType = .earn, startMillis: Int64? = nil, endMillis: Int64? = nil,
                    live: Bool = true, issuedCustomers: Set<Int64> = [], claims: [Claim] = [], expiryDays: Int = 365,
                    name: String? = nil) {
            self.id = id.lowercased()
            self.name = name
            self.earnType = earnType
            self.startMillis = startMillis
            self.endMillis = endMillis
            self.live = live
            self.issuedCustomers = issuedCustomers
            self.claims = claims
            self.expiryDays = expiryDays
        }
    }

    public private(set) var badges: [Badge]
    let byID: [ObjectID: Badge]

    /// Builds a catalog in code; ids must be 24 hex and unique.
    public init(badges: [Badge]) throws {
        var byID: [ObjectID: Badge] = [:]
        for (index, badge) in badges.enumerated() {
            guard let id = ObjectID(badge.id) else {
                throw BadgeCatalogError(source: "catalog", field: "badges[\(index)].id",
                                        reason: "not 24 hex characters (\"\(badge.id)\")")
            }
            guard byID[id] == nil else {
                throw BadgeCatalogError(source: "catalog", field: "badges[\(index)].id",
                                        reason: "duplicate badge id \(badge.id)")
            }
            byID[id] = badge
        }
        self.badges = badges
        self.byID = byID
    }

    /// Reads and checks a catalog file; errors name the file and the field.
    public static func load(path: String) throws -> BadgeCatalog {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BadgeCatalogError(source: path, field: nil, reason: "cannot read the file")
        }
        return try parse(data, source: path)
    }

    /// Parses catalog JSON; `source` names it in errors.
    public static func parse(_ data: Data, source: String) throws -> BadgeCatalog {
        let file: CatalogFile
        do {
            file = try JSONDecoder().decode(CatalogFile.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw BadgeCatalogError(source: source, field: path(context.codingPath),
                                    reason: context.underlyingError.map { "invalid JSON (\($0.localizedDescription))" }
                                        ?? context.debugDescription)
        } catch let DecodingError.keyNotFound(key, context) {
            throw BadgeCatalogError(source: source, field: path(context.codingPath + [key]), reason: "missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw BadgeCatalogError(source: source, field: path(context.codingPath), reason: context.debugDescription)
        } catch let DecodingError.valueNotFound(_, context) {
            throw BadgeCatalogError(source: source, field: path(context.codingPath), reason: "null not allowed")
        } catch {
            throw BadgeCatalogError(source: source, field: nil, reason: "invalid JSON")
        }

        var badges: [Badge] = []
        for (index, entry) in file.badges.enumerated() {
            let field = "badges[\(index)]"
            func instant(_ text: String?, _ name: String, endOfDay: Bool) throws -> Int64? {
                guard let text else { return nil }
                guard let millis = EventInstant(iso8601: text, rules: .catalogWindow(bareDate: endOfDay ? .endOfDay : .startOfDay))?
                    .millisecondsSinceEpoch
                else {
                    throw BadgeCatalogError(source: source, field: "\(field).\(name)",
                                            reason: "not an ISO 8601 instant or date (\"\(text)\")")
                }
                return millis
            }
            let start = try instant(entry.start, "start", endOfDay: false)
            let end = try instant(entry.end, "end", endOfDay: true)
            if let start, let end, start > end {
                throw BadgeCatalogError(source: source, field: "\(field).end", reason: "before start")
            }
            if let days = entry.expiryDays, days < 0 {
                throw BadgeCatalogError(source: source, field: "\(field).expiryDays", reason: "negative")
            }
            let earnType = entry.earnType ?? .earn
            if earnType == .earn, !(entry.issuedCustomers ?? []).isEmpty {
                throw BadgeCatalogError(source: source, field: "\(field).issuedCustomers",
                                        reason: "only ISSUE_EARN badges have issued customers")
            }
            badges.append(Badge(id: entry.id, earnType: earnType, startMillis: start, endMillis: end,
                                live: entry.live ?? true,
                                issuedCustomers: Set((entry.issuedCustomers ?? []).map(\.value)),
                                claims: entry.claims ?? [], expiryDays: entry.expiryDays ?? 365, name: entry.name))
        }
        do {
            return try BadgeCatalog(badges: badges)
        } catch let error as BadgeCatalogError {
            throw BadgeCatalogError(source: source, field: error.field, reason: error.reason)
        }
    }

    public static func == (lhs: BadgeCatalog, rhs: BadgeCatalog) -> Bool { lhs.badges == rhs.badges }

    func badge(_ id: ObjectID) -> Badge? { byID[id] }

    private static func path(_ keys: [any CodingKey]) -> String? {
        guard !keys.isEmpty else { return nil }
        var out = ""
        for key in keys {
            if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out
    }
}

/// A catalog that cannot be used, naming the file and the field.
public struct BadgeCatalogError: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var field: String?
    public var reason: String

    public var description: String {
        "\(source): \(field.map { "\($0): " } ?? "")\(reason)"
    }
}

/// The file's shape, decoded before checking.
private struct CatalogFile: Decodable {
    struct Entry: Decodable {
        var id: String
        var name: String?
        var earnType: BadgeCatalog.EarnType?
        var start: String?
        var end: String?
        var live: Bool?
        var issuedCustomers: [CustomerNumber]?
        var claims: [BadgeCatalog.Claim]?
        var expiryDays: Int?
    }

    /// A customer id written as a number or a digit string.
    struct CustomerNumber: Decodable {
        var value: Int64

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                value = number
            } else if let text = try? container.decode(String.self), let number = Int64(text) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a customer id")
            }
        }
    }

    var badges: [Entry]
}
