import EarnAPI
import NIOCore
import NIOHTTP1

/// The two reads the importer makes beside earning: a badge's definition (`run`'s preflight)
/// and a customer's earned badges (`verify`), both served from the mock's own catalog and
/// committed earns, behind the same credentials, rate limit and faults as the earn.
extension MockEarnService {
    enum Read { case badge, customer }

    /// `GET /api_gateway/v1/badges/badgeMeta/{id}`; an unknown id answers 400 with code 1054.
    func badgeDefinition(id: String, authorization: String?, oauthToken: String?, allocator: ByteBufferAllocator) -> MockReply {
        let (refusal, delay) = admitRead(.badge, authorization: authorization, oauthToken: oauthToken, allocator: allocator)
        if let refusal { return refusal }
        guard let definition = definition(id) else {
            return .json(.badRequest, ResponseBody.errors(
                [APIError(code: Code.unknownBadge, message: "Badge not found", reference: "badgeId")], allocator: allocator),
                         delay: delay)
        }
        return .json(.ok, allocator.buffer(bytes: definition.encodedAnswer()), delay: delay)
    }

    /// `GET /api_gateway/v1/badges/customer/{customerId}?badgeType=EARNED&includeExpired=true`:
    /// every badge the customer holds, with each earn and the requestId it came with.
    func customerBadges(customer: String, authorization: String?, oauthToken: String?, allocator: ByteBufferAllocator) -> MockReply {
        let (refusal, delay) = admitRead(.customer, authorization: authorization, oauthToken: oauthToken, allocator: allocator)
        if let refusal { return refusal }
        guard let customerId = EarnRequestBody.positiveInteger(customer.utf8) else {
            return .json(.badRequest, ResponseBody.errors(
                [APIError(code: Code.invalidCustomerId, message: "CustomerId must be a positive integer", reference: "customerId")],
                allocator: allocator), delay: delay)
        }
        let records: [EarnRecord] = state.withLock { state in
            if state.earnsByCustomer == nil {
                var index: [Int64: [Int]] = [:]
                for position in state.records.indices where !state.forgotten.contains(position) {
                    index[state.records[position].customerId, default: []].append(position)
                }
                state.earnsByCustomer = index
            }
            return (state.earnsByCustomer?[customerId] ?? []).map { state.records[$0] }
        }
        var held: [CustomerBadges.Held] = []
        var position: [ObjectID: Int] = [:]
        for record in records {
            let earn = CustomerBadges.Earn(earnedBadgeId: record.earnedID.hexString, requestId: record.requestId,
                                           earnedOn: Int64(record.earnedID.high >> 32) * 1000, eventDate: record.eventMillis)
            if let at = position[record.badge] {
                held[at].earns?.append(earn)
            } else {
                position[record.badge] = held.count
                held.append(CustomerBadges.Held(badgeMetaId: record.badge.hexString,
                                                name: configuration.catalog?.badge(record.badge)?.name, earns: [earn]))
            }
        }
        return .json(.ok, allocator.buffer(bytes: CustomerBadges(badges: held).encodedAnswer()), delay: delay)
    }

    /// The definition as the contract has it: the catalog's badge, or without a catalog any
    /// 24-hex id as a live direct-earn badge with no window and no claim; nil when unknown.
    func definition(_ id: String) -> BadgeDefinition? {
        guard let objectID = ObjectID(id) else { return nil }
        guard let catalog = configuration.catalog else {
            return BadgeDefinition(id: objectID.hexString, status: "LIVE", active: true, earnType: "DIRECT_EARN", claims: [])
        }
        guard let badge = catalog.badge(objectID) else { return nil }
        let nowMillis = Int64((configuration.clock.wallNow() * 1000).rounded(.down))
        let status = badge.startMillis.map { nowMillis < $0 } ?? false ? "UPCOMING"
            : badge.endMillis.map { nowMillis > $0 } ?? false ? "ENDED" : "LIVE"
        return BadgeDefinition(
            id: objectID.hexString, name: badge.name, startOnMillis: badge.startMillis, expiresOnMillis: badge.endMillis,
            status: status, active: badge.live, earnType: badge.earnType == .issueEarn ? "ISSUE_AND_EARN" : "DIRECT_EARN",
            claims: badge.claims.map { BadgeDefinition.Claim(ownerType: $0.ownerType.rawValue, referenceId: $0.referenceId) })
    }

    /// Credentials, `denyReads`, the rate limit and the before-processing faults, as for an
    /// earn (with draws of their own): the refusal to answer with, or nil and the delay to add.
    private func admitRead(_ read: Read, authorization: String?, oauthToken: String?,
                           allocator: ByteBufferAllocator) -> (MockReply?, Int64) {
        let faults = configuration.faults
        let basicOK = expectedBasic != nil && authorization == expectedBasic
        let wallNow = configuration.clock.wallNow(), monotonicNow = configuration.clock.now()
        var delay = Int64(faults.latencyMs) * 1_000_000
        let refusal: (HTTPResponseStatus, APIError, Int?)? = state.withLock { state in
            if read == .badge { state.stats.badgeReads += 1 } else { state.stats.customerReads += 1 }
            let fault = state.readRandom.nextUnit(), pick = state.readRandom.nextUnit()
            if faults.jitterMs > 0 { delay += Int64(state.readRandom.nextUnit() * Double(faults.jitterMs) * 1_000_000) }
            if let message = authorizationProblem(basicOK: basicOK, oauthToken: oauthToken, wallNow: wallNow, state: &state) {
                return (.unauthorized, APIError(code: Code.unauthorized, message: message, reference: nil), nil)
            }
            if configuration.denyReads {
                return (.forbidden, APIError(code: 403, message: "Access group has no read rights", reference: nil), nil)
            }
            if state.bucket != nil, let wait = state.bucket!.take(now: monotonicNow) {
                state.stats.rateLimited429 += 1
                return (.tooManyRequests, APIError(code: 429, message: "Rate limit exceeded", reference: nil), max(1, Int(wait.rounded(.up))))
            }
            if fault < faults.failBeforeRate {
                let statuses = faults.failBeforeStatuses
                let status = HTTPResponseStatus(statusCode: statuses[min(statuses.count - 1, Int(pick * Double(statuses.count)))])
                return (status, APIError(code: Int(status.code), message: "Server error", reference: nil), nil)
            }
            if fault < faults.failBeforeRate + faults.throttleRate {
                return (.tooManyRequests, APIError(code: 429, message: "Too many requests", reference: nil), faults.retryAfterSeconds)
            }
            return nil
        }
        guard let (status, error, retryAfter) = refusal else { return (nil, delay) }
        return (.json(status, ResponseBody.errors([error], allocator: allocator), retryAfter: retryAfter, delay: delay), delay)
    }
}
