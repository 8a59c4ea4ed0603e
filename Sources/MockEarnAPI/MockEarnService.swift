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
        static let badgeMissing = 824, referenceMissing = 825, outsideWindow = 816, unknownBadge = 1054
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
        /// The reads' own fault draws, so a preflight or a verify never shifts the earns' faults.
        var readRandom: SplitMix64
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
        /// `keepRejectedIds`: requestIds of earns a badge rule refused, answered 809 from then on.
        var rejectedRequestIds: Set<String> = []
        /// Issue-and-earn enrolments made through `POST /__issue`, beside the catalog's.
        var issued: Set<IssueKey> = []
        /// Indices into `records` by customer, built on the first customer read and kept up
        /// to date from then on (a run that is never verified does not pay for it).
        var earnsByCustomer: [Int64: [Int]]?
        /// Indices into `records` of earns `POST /__forget` removed.
        var forgotten: Set<Int> = []
    }

    struct IssueKey: Hashable {
        var badge: ObjectID
        var customerId: Int64
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
            readRandom: SplitMix64(seed: configuration.seed ^ 0x00EA_D000),
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
        if let message = authorizationProblem(basicOK: basicOK, oauthToken: oauthToken, wallNow: wallNow, state: &state) {
            return .unauthorized(message)
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
        var candidate: Candidate
        switch parsed {
        case .invalid(let errors):
            reject(errors, state: &state)
            return .rejected(errors)
        case .valid(let value):
            candidate = value
        }
        if state.acceptedRequestIds.contains(candidate.record.requestId)
            || configuration.keepRejectedIds && state.rejectedRequestIds.contains(candidate.record.requestId) {
            state.stats.duplicate809 += 1
            return .duplicate
        }
        clearIfIssued(&candidate, state: state)
        if let error = candidate.badgeError {
            reject([error], state: &state)
            // The real service may keep a rejected request's key (its idempotency page is silent).
            if configuration.keepRejectedIds { state.rejectedRequestIds.insert(candidate.record.requestId) }
            return .rejected([error])
        }
        state.acceptedRequestIds.insert(candidate.record.requestId)
        let (record, expiresOnMicros) = commit(candidate, wallNow: wallNow, state: &state)
        let after = afterCommit(draws, state: &state)
        if after == .answer { state.stats.earned += 1 }
        return .committed(record, expiresOnMicros: expiresOnMicros, issuedID: candidate.issuedID, after: after)
    }

    /// An 811 clears once the customer is enrolled (`POST /__issue`), single or bulk.
    func clearIfIssued(_ candidate: inout Candidate, state: State) {
        if candidate.badgeError?.code == 811,
           state.issued.contains(IssueKey(badge: candidate.record.badge, customerId: candidate.record.customerId)) {
            candidate.badgeError = nil
            candidate.issuedID = Self.issuedID(badge: candidate.record.badge, customerId: candidate.record.customerId)
        }
    }

    /// Records an accepted earn (a fresh earned id, the natural key's count); its expiry.
    func commit(_ candidate: Candidate, wallNow: Double, state: inout State) -> (EarnRecord, Int64) {
        state.earnCounter &+= 1
        var record = candidate.record
        record.earnedID = ObjectID(high: UInt64(UInt32(truncatingIfNeeded: Int64(wallNow))) << 32 | UInt64(idTag),
                                   low: state.earnCounter)
        state.earnsByCustomer?[record.customerId, default: []].append(state.records.count)
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

    /// nil when the request's credentials are good (or auth is off); else the 401's message.
    func authorizationProblem(basicOK: Bool, oauthToken: String?, wallNow: Double, state: inout State) -> String? {
        guard authEnabled && !basicOK else { return nil }
        var message = "Invalid or missing credentials"
        if let oauthToken, configuration.oauth != nil {
            if let expiry = state.tokens[oauthToken] {
                if wallNow < expiry { return nil }
                message = "OAuth token expired"
            } else {
                message = "Invalid OAuth token"
            }
        }
        state.stats.unauthorized += 1
        return message
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
        heldRecords().map(\.committedEarn)
    }

    /// The earns the mock holds, in commit order (the forgotten ones left out).
    private func heldRecords() -> [EarnRecord] {
        state.withLock { state in
            state.forgotten.isEmpty ? state.records
                : state.records.indices.filter { !state.forgotten.contains($0) }.map { state.records[$0] }
        }
    }

    /// All committed earns as JSON lines, in commit order.
    func earnsJSONLines() -> [UInt8] {
        let records = heldRecords()
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
