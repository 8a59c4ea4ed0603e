import Foundation
import EarnAPI
import NIOCore
import NIOHTTP1
import Synchronization
import Digest

/// What the HTTP layer should do with a request: answer (after `delayNanos`) or close the
/// connection without a word.
struct MockReply {
    enum Action {
        case respond(HTTPResponseStatus, ByteBuffer, retryAfterSeconds: Int?, contentType: String)
        case drop
    }

    var action: Action
    var delayNanos: Int64 = 0

    static func json(_ status: HTTPResponseStatus, _ body: ByteBuffer, retryAfter: Int? = nil, delay: Int64 = 0) -> MockReply {
        MockReply(action: .respond(status, body, retryAfterSeconds: retryAfter, contentType: "application/json"),
                  delayNanos: delay)
    }
}

/// The earn API's behaviour without the HTTP plumbing: auth, validation, idempotency, badge
/// rules, faults, rate limit, and the record of what was committed. One lock guards all mutable
/// state; parsing and stateless checks run outside it, so the critical section is a few hash
/// look-ups per request.
final class MockEarnService: Sendable {
    /// Error codes the docs do not give, chosen here (documented in the README section).
    enum Code {
        static let malformedBody = 820, invalidOwnerType = 821, invalidDate = 822, invalidCustomerId = 823
        static let badgeMissing = 824, referenceMissing = 825, outsideWindow = 816, unknownBadge = 817
        static let unauthorized = 401, notFound = 404, methodNotAllowed = 405, tooLarge = 413
    }

    let configuration: MockConfiguration
    /// The exact `Authorization` value Basic auth expects, pre-computed once.
    let expectedBasic: String?
    let authEnabled: Bool
    /// Mixed into earned ids so two mocks with different seeds never hand out the same id.
    private let idTag: UInt32
    let state: Mutex<State>
    /// Earn requests received and not yet answered, and the most there ever were.
    private let inFlight = Mutex((now: 0, peak: 0))

    struct State {
        var faultRandom: SplitMix64
        var tokenRandom: SplitMix64
        var bucket: TokenBucket?
        var tokens: [String: Double] = [:]
        var acceptedRequestIds: Set<String> = []
        var records: [EarnRecord] = []
        var naturalKeyCounts: [NaturalKey: Int] = [:]
        var earnCounter: UInt32 = 0
        var stats = MockStats()
        var rejectedByCode: [Int: Int] = [:]
        /// Customers earned under each bulk requestId: a replay answers them 809, item by item.
        var bulkEarned: Set<BulkKey> = []
    }

    init(configuration: MockConfiguration) {
        self.configuration = configuration
        if let basic = configuration.basic {
            let credentials = "\(basic.username):\(MD5.hex(basic.password.utf8))"
            expectedBasic = "Basic " + Data(credentials.utf8).base64EncodedString()
        } else {
            expectedBasic = nil
        }
        authEnabled = configuration.basic != nil || configuration.oauth != nil
        var tagSource = SplitMix64(seed: configuration.seed ^ 0x5EED_1D5)
        idTag = UInt32(truncatingIfNeeded: tagSource.next())
        state = Mutex(State(
            faultRandom: SplitMix64(seed: configuration.seed),
            tokenRandom: SplitMix64(seed: configuration.seed ^ 0x70CE_0000),
            bucket: configuration.rateLimit.map { TokenBucket(rate: $0, burst: configuration.rateBurst) }
        ))
    }

    // MARK: - Earn

    /// The per-request fault draws (see `MockConfiguration.Faults`).
    struct Draws {
        var fault: Double, slow: Double, jitter: Double, status: Double
    }

    /// An earn that passed validation and the stateless badge rules.
    struct Candidate {
        var record: EarnRecord
        var expiryDays: Int
        var issuedID: ObjectID?
        /// A badge rule that refused it (checked after 809, so a resend of an accepted id is 809).
        var badgeError: APIError?
    }

    enum Outcome {
        case unauthorized(String)
        case rateLimited(retryAfter: Int)
        case throttled
        case failBefore(status: Int)
        case rejected([APIError])
        case duplicate
        case committed(EarnRecord, expiresOnMicros: Int64, issuedID: ObjectID?, after: AfterCommit)
    }

    enum AfterCommit { case answer, fail500, drop }

    enum Validation {
        case valid(Candidate)
        case invalid([APIError])
    }

    func earn(authorization: String?, oauthToken: String?, body: ByteBuffer, allocator: ByteBufferAllocator) -> MockReply {
        let parsed: Validation = body.withUnsafeReadableBytes { bytes in
            guard let request = EarnRequestBody.decode(bytes) else {
                return .invalid([APIError(code: Code.malformedBody, message: "Request body is not a valid JSON object",
                                          reference: nil)])
            }
            return validate(request)
        }
        let basicOK = expectedBasic != nil && authorization == expectedBasic
        let wallNow = configuration.clock.wallNow()
        let monotonicNow = configuration.clock.now()

        let (outcome, draws): (Outcome, Draws) = state.withLock { state in
            let draws = draw(&state)
            let outcome = gate(draws, basicOK: basicOK, oauthToken: oauthToken, wallNow: wallNow,
                               monotonicNow: monotonicNow, state: &state)
                ?? decide(parsed, draws: draws, wallNow: wallNow, state: &state)
            return (outcome, draws)
        }
        return reply(outcome, delay: delay(draws), allocator: allocator)
    }

    /// The four draws of one request (see `MockConfiguration.Faults`), under the lock, in arrival order.
    func draw(_ state: inout State) -> Draws {
        let draws = Draws(fault: state.faultRandom.nextUnit(), slow: state.faultRandom.nextUnit(),
                          jitter: state.faultRandom.nextUnit(), status: state.faultRandom.nextUnit())
        state.stats.requests += 1
        if draws.slow < configuration.faults.slowRate { state.stats.slow += 1 }
        return draws
    }

    func delay(_ draws: Draws) -> Int64 {
        let faults = configuration.faults
        var delay = Int64(faults.latencyMs) * 1_000_000
        if faults.jitterMs > 0 { delay += Int64(draws.jitter * Double(faults.jitterMs) * 1_000_000) }
        if draws.slow < faults.slowRate { delay += Int64(faults.slowMs) * 1_000_000 }
        return delay
    }

    /// The answer for an outcome of the single earn; the gate's outcomes are the bulk earn's too.
    func reply(_ outcome: Outcome, delay: Int64, allocator: ByteBufferAllocator) -> MockReply {
        switch outcome {
        case .unauthorized(let message):
            return .json(.unauthorized, ResponseBody.errors([APIError(code: Code.unauthorized, message: message, reference: nil)],
                                                            allocator: allocator), delay: delay)
        case .rateLimited(let retryAfter):
            return .json(.tooManyRequests, ResponseBody.errors(
                [APIError(code: 429, message: "Rate limit exceeded", reference: nil)], allocator: allocator),
                         retryAfter: retryAfter, delay: delay)
        case .throttled:
            return .json(.tooManyRequests, ResponseBody.errors(
                [APIError(code: 429, message: "Too many requests", reference: nil)], allocator: allocator),
                         retryAfter: configuration.faults.retryAfterSeconds, delay: delay)
        case .failBefore(let status):
            let status = HTTPResponseStatus(statusCode: status)
            return .json(status, ResponseBody.errors(
                [APIError(code: Int(status.code), message: status.reasonPhrase.isEmpty ? "Server error" : status.reasonPhrase,
                          reference: nil)], allocator: allocator), delay: delay)
        case .rejected(let errors):
            let status: HTTPResponseStatus = errors.first?.code == 811 ? .conflict : .badRequest
            return .json(status, ResponseBody.errors(errors, allocator: allocator), delay: delay)
        case .duplicate:
            return .json(.badRequest, ResponseBody.errors(
                [APIError(code: 809, message: "Request with the same requestId is not allowed", reference: "requestId")],
                allocator: allocator), delay: delay)
        case .committed(let record, let expiresOnMicros, let issuedID, let after):
            if let faulted = Self.faultAfterCommit(after, delay: delay, allocator: allocator) { return faulted }
            return .json(.ok, ResponseBody.earned(
                badge: record.badge, customerId: record.customerId, earnedID: record.earnedID,
                expiresOnMicros: expiresOnMicros, requestId: record.requestId, issuedID: issuedID,
                allocator: allocator), delay: delay)
        }
    }

    /// A 500 or a dropped connection after commit; nil when the answer goes out.
    static func faultAfterCommit(_ after: AfterCommit, delay: Int64, allocator: ByteBufferAllocator) -> MockReply? {
        switch after {
        case .drop:
            return MockReply(action: .drop, delayNanos: delay)
        case .fail500:
            return .json(.internalServerError, ResponseBody.errors(
                [APIError(code: 500, message: "Internal server error", reference: nil)], allocator: allocator), delay: delay)
        case .answer:
            return nil
        }
    }

    /// Auth by token, the rate limit and the faults drawn before processing: the outcome when
    /// one of them answers the request, nil when it goes on.
    func gate(_ draws: Draws, basicOK: Bool, oauthToken: String?, wallNow: Double, monotonicNow: Double,
              state: inout State) -> Outcome? {
        let faults = configuration.faults
        if authEnabled && !basicOK {
            var message = "Invalid or missing credentials"
            var tokenOK = false
            if let oauthToken, configuration.oauth != nil {
                if let expiry = state.tokens[oauthToken] {
                    if wallNow < expiry { tokenOK = true } else { message = "OAuth token expired" }
                } else {
                    message = "Invalid OAuth token"
                }
            }
            if !tokenOK {
                state.stats.unauthorized += 1
                return .unauthorized(message)
            }
        }
        if state.bucket != nil, let wait = state.bucket!.take(now: monotonicNow) {
            state.stats.rateLimited429 += 1
            return .rateLimited(retryAfter: max(1, Int(wait.rounded(.up))))
        }
        if draws.fault < faults.failBeforeRate {
            state.stats.fiveXXBefore += 1
            let statuses = faults.failBeforeStatuses
            return .failBefore(status: statuses[min(statuses.count - 1, Int(draws.status * Double(statuses.count)))])
        }
        if draws.fault < faults.failBeforeRate + faults.throttleRate {
            state.stats.throttled429 += 1
            return .throttled
        }
        return nil
    }

    /// The locked part past the gate: idempotency, badge rules, commit, counters.
    private func decide(_ parsed: Validation, draws: Draws, wallNow: Double, state: inout State) -> Outcome {
        let candidate: Candidate
        switch parsed {
        case .invalid(let errors):
            reject(errors, state: &state)
            return .rejected(errors)
        case .valid(let value):
            candidate = value
        }
        if state.acceptedRequestIds.contains(candidate.record.requestId) {
            state.stats.duplicate809 += 1
            return .duplicate
        }
        if let error = candidate.badgeError {
            reject([error], state: &state)
            return .rejected([error])
        }
        state.acceptedRequestIds.insert(candidate.record.requestId)
        let (record, expiresOnMicros) = commit(candidate, wallNow: wallNow, state: &state)
        let after = afterCommit(draws, state: &state)
        if after == .answer { state.stats.earned += 1 }
        return .committed(record, expiresOnMicros: expiresOnMicros, issuedID: candidate.issuedID, after: after)
    }

    /// Records an accepted earn (a fresh earned id, the natural key's count); its expiry.
    func commit(_ candidate: Candidate, wallNow: Double, state: inout State) -> (EarnRecord, Int64) {
        state.earnCounter &+= 1
        var record = candidate.record
        record.earnedID = ObjectID(high: UInt64(UInt32(truncatingIfNeeded: Int64(wallNow))) << 32 | UInt64(idTag),
                                   low: state.earnCounter)
        state.records.append(record)
        let key = NaturalKey(badge: record.badge, customerId: record.customerId, ownerType: record.ownerType,
                             referenceId: record.referenceId, eventMillis: record.eventMillis)
        let seen = state.naturalKeyCounts[key, default: 0] + 1
        state.naturalKeyCounts[key] = seen
        if seen == 2 { state.stats.doubleEarns += 1 }
        state.stats.committedEarns += 1
        return (record, Int64((wallNow * 1_000_000).rounded(.down)) + Int64(candidate.expiryDays) * 86_400_000_000)
    }

    /// Whether a request that committed is answered, answered 500, or dropped (counted).
    func afterCommit(_ draws: Draws, state: inout State) -> AfterCommit {
        let faults = configuration.faults
        let threshold = faults.failBeforeRate + faults.throttleRate + faults.failAfterCommitRate
        if draws.fault < threshold {
            state.stats.fiveHundredAfterCommit += 1
            return .fail500
        }
        if draws.fault < threshold + faults.dropAfterCommitRate {
            state.stats.droppedAfterCommit += 1
            return .drop
        }
        return .answer
    }

    func reject(_ errors: [APIError], state: inout State) {
        state.stats.rejectedRequests += 1
        for error in errors { state.rejectedByCode[error.code, default: 0] += 1 }
    }

    /// Field rules (all reported together) then the badge rules (first failure wins).
    func validate(_ request: EarnRequestBody) -> Validation {
        var errors: [APIError] = []
        let requestId = request.requestId ?? ""
        if requestId.isEmpty {
            errors.append(APIError(code: 804, message: "RequestId information is missing", reference: "requestId"))
        }
        var customerId: Int64 = 0
        switch request.customerId {
        case .missing:
            errors.append(APIError(code: 812, message: "CustomerId information is missing", reference: "customerId"))
        case .invalid:
            errors.append(APIError(code: Code.invalidCustomerId, message: "CustomerId must be a positive integer",
                                   reference: "customerId"))
        case .value(let value):
            customerId = value
        }
        let badgeText = request.badgeMetaId ?? ""
        if badgeText.isEmpty {
            errors.append(APIError(code: Code.badgeMissing, message: "BadgeMetaId information is missing",
                                   reference: "badgeMetaId"))
        }
        var ownerType = OwnerType.historicalImport
        if let text = request.ownerType, !text.isEmpty {
            if let value = OwnerType(bytes: text.utf8) {
                ownerType = value
            } else {
                errors.append(APIError(code: Code.invalidOwnerType, message: "Invalid owner type",
                                       reference: "triggeredBy.ownerType"))
            }
        } else {
            errors.append(APIError(code: 716, message: "Owner type information is missing",
                                   reference: "triggeredBy.ownerType"))
        }
        let referenceId = request.referenceId ?? ""
        if referenceId.isEmpty {
            errors.append(APIError(code: Code.referenceMissing, message: "Reference id information is missing",
                                   reference: "triggeredBy.referenceId"))
        }
        let nowMillis = Int64((configuration.clock.wallNow() * 1000).rounded(.down))
        var eventMillis = nowMillis
        // The newer field wins when both are sent.
        let (dateText, dateField, rules): (String?, String, InstantRules) = request.earnEventDateISO != nil
            ? (request.earnEventDateISO, "earnEventDateISO", .earnEventDateISO)
            : (request.earnEventDate, "earnEventDate", .earnEventDate)
        if let dateText {
            if let millis = EventInstant(iso8601: dateText, rules: rules)?.millisecondsSinceEpoch {
                eventMillis = millis
                if Double(millis - nowMillis) > configuration.futureToleranceSeconds * 1000 {
                    errors.append(APIError(code: 750, message: "Earn event date should not be in future",
                                           reference: dateField))
                }
            } else {
                errors.append(APIError(code: Code.invalidDate, message: rules.zone == .utcOnly
                                        ? "Invalid date, expected YYYY-MM-DDTHH:MM:SS.SSSZ"
                                        : "Invalid date, expected ISO 8601 with an offset", reference: dateField))
            }
        }
        guard errors.isEmpty else { return .invalid(errors) }

        var candidate = Candidate(
            record: EarnRecord(requestId: requestId, badge: ObjectID(high: 0, low: 0), customerId: customerId,
                               ownerType: ownerType, referenceId: referenceId, eventMillis: eventMillis,
                               earnedID: ObjectID(high: 0, low: 0)),
            expiryDays: 365, issuedID: nil, badgeError: nil)
        guard let badgeID = ObjectID(badgeText) else {
            candidate.badgeError = APIError(code: Code.unknownBadge, message: "Badge not found", reference: "badgeMetaId")
            return .valid(candidate)
        }
        candidate.record.badge = badgeID
        guard let catalog = configuration.catalog else { return .valid(candidate) }
        guard let badge = catalog.badge(badgeID) else {
            candidate.badgeError = APIError(code: Code.unknownBadge, message: "Badge not found", reference: "badgeMetaId")
            return .valid(candidate)
        }
        candidate.expiryDays = badge.expiryDays
        if !badge.live {
            candidate.badgeError = APIError(code: 815, message: "Badge is not live", reference: "badgeMetaId")
        } else if badge.startMillis.map({ eventMillis < $0 }) ?? false || badge.endMillis.map({ eventMillis > $0 }) ?? false {
            candidate.badgeError = APIError(code: Code.outsideWindow, message: "Earn event date is outside the badge's validity",
                                            reference: dateField)
        } else if !badge.claims.isEmpty,
                  !badge.claims.contains(where: { $0.ownerType == ownerType && $0.referenceId == referenceId }) {
            candidate.badgeError = APIError(code: 810, message: "Badge needs to be claimed first",
                                            reference: "triggeredBy")
        } else if badge.earnType == .issueEarn {
            if badge.issuedCustomers.contains(customerId) {
                candidate.issuedID = Self.issuedID(badge: badgeID, customerId: customerId)
            } else {
                candidate.badgeError = APIError(code: 811, message: "Badge issue is mandatory before earn",
                                                reference: "customerId")
            }
        }
        return .valid(candidate)
    }

    /// A stable issual id per (badge, customer), as if the enrolment had created it.
    static func issuedID(badge: ObjectID, customerId: Int64) -> ObjectID {
        var mixer = SplitMix64(seed: badge.high ^ UInt64(badge.low) << 17 ^ UInt64(bitPattern: customerId))
        return ObjectID(high: mixer.next(), low: UInt32(truncatingIfNeeded: mixer.next()))
    }

    // MARK: - Observability

    func stats() -> MockStats {
        var stats = state.withLock { state in
            var stats = state.stats
            stats.rejected = Dictionary(uniqueKeysWithValues: state.rejectedByCode.map { (String($0.key), $0.value) })
            return stats
        }
        stats.maxInFlight = inFlight.withLock { $0.peak }
        return stats
    }

    func earnStarted() {
        inFlight.withLock { count in
            count.now += 1
            count.peak = max(count.peak, count.now)
        }
    }

    func earnAnswered() {
        inFlight.withLock { $0.now -= 1 }
    }

    func committedEarns() -> [CommittedEarn] {
        state.withLock { $0.records }.map(\.committedEarn)
    }

    /// All committed earns as JSON lines, in commit order.
    func earnsJSONLines() -> [UInt8] {
        let records = state.withLock { $0.records }
        var out: [UInt8] = []
        out.reserveCapacity(records.count * 220)
        for record in records { ResponseBody.writeEarnLine(record, to: &out) }
        return out
    }

    func statsJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(stats())) ?? Data("{}".utf8))
    }
}
