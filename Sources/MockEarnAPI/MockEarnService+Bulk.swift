import EarnAPI
import NIOCore
import NIOHTTP1

/// A customer earned under one bulk requestId: a replay of that requestId answers it 809.
struct BulkKey: Hashable {
    var requestId: String
    var customerId: Int64
}

/// `POST /api_gateway/v1/badges/customer/earnBulk` per Capillary's earnBulk contract: one badge,
/// owner and date for many customers; per-customer items; a replay of the same requestId
/// processes only the customers not yet earned under it (the others come back 809, item by
/// item); more than `bulkMax` customers is a whole-request 400 with code 818. Every fault
/// applies per HTTP request, as for the single earn; the after-commit faults when at least one
/// customer was committed.
extension MockEarnService {
    /// The request as validated outside the lock.
    enum BulkValidation {
        /// A whole-request error: no per-customer items.
        case invalid([APIError])
        case valid(requestId: String, customers: [BulkCustomer])
    }

    /// One customer of a valid request: its own refusal (a customerId that is not one), or the
    /// single earn's candidate (whose badge rule may refuse it, per customer).
    enum BulkCustomer {
        case invalid(APIError)
        case valid(Candidate)
    }

    /// What became of one customer, written into the answer outside the lock.
    private enum ItemResult {
        case earned(EarnRecord, expiresOnMicros: Int64, issuedID: ObjectID?)
        case failed(customerId: Int64, APIError)
    }

    static let tooManyCustomers = 818

    /// A bulk request's fate under the lock: answered early like a single earn, or per customer.
    private enum BulkOutcome {
        case early(Outcome)
        case items([ItemResult], AfterCommit)
    }

    func earnBulk(authorization: String?, oauthToken: String?, body: ByteBuffer, allocator: ByteBufferAllocator) -> MockReply {
        let parsed = body.withUnsafeReadableBytes { validateBulk(EarnBulkRequestBody.decode($0)) }
        let basicOK = expectedBasic != nil && authorization == expectedBasic
        let wallNow = configuration.clock.wallNow()
        let monotonicNow = configuration.clock.now()

        let (outcome, draws): (BulkOutcome, Draws) = state.withLock { state in
            let draws = draw(&state)
            state.stats.bulkRequests += 1
            if let early = gate(draws, basicOK: basicOK, oauthToken: oauthToken, wallNow: wallNow,
                                monotonicNow: monotonicNow, state: &state) {
                return (.early(early), draws)
            }
            switch parsed {
            case .invalid(let errors):
                reject(errors, state: &state)
                return (.early(.rejected(errors)), draws)
            case .valid(let requestId, let customers):
                let (items, after) = commitBulk(requestId: requestId, customers, draws: draws, wallNow: wallNow, state: &state)
                return (.items(items, after), draws)
            }
        }
        let delay = delay(draws)
        switch outcome {
        case .early(let early):
            return reply(early, delay: delay, allocator: allocator)
        case .items(let items, let after):
            if let faulted = Self.faultAfterCommit(after, delay: delay, allocator: allocator) { return faulted }
            var json = JSONWriter(capacity: items.count * 150)
            for (index, item) in items.enumerated() {
                if index > 0 { json.raw(",") }
                switch item {
                case .earned(let record, let expiresOnMicros, let issuedID):
                    BulkEarnAnswer.writeEarned(customerId: record.customerId, earnedBadgeId: record.earnedID.hexBytes,
                                               issuedId: issuedID?.hexBytes, expiresOnMicros: expiresOnMicros,
                                               status: "LIVE", to: &json)
                case .failed(let customerId, let error):
                    BulkEarnAnswer.writeFailed(customerId: customerId, code: error.code, message: error.message, to: &json)
                }
            }
            var buffer = allocator.buffer(capacity: json.bytes.count + 64)
            buffer.writeBytes(BulkEarnAnswer.envelope(items: json.bytes))
            return .json(.ok, buffer, delay: delay)
        }
    }

    /// Per customer, in the order sent: 809 when already earned (or, with `keepRejectedIds`,
    /// refused) under this requestId, the badge rule's refusal, or a commit.
    private func commitBulk(requestId: String, _ customers: [BulkCustomer], draws: Draws, wallNow: Double,
                            state: inout State) -> ([ItemResult], AfterCommit) {
        var items: [ItemResult] = []
        items.reserveCapacity(customers.count)
        var committed = 0
        for customer in customers {
            switch customer {
            case .invalid(let error):
                state.stats.bulkItemsRejected += 1
                state.rejectedByCode[error.code, default: 0] += 1
                items.append(.failed(customerId: 0, error))
            case .valid(var candidate):
                clearIfIssued(&candidate, state: state)
                let customerId = candidate.record.customerId
                if !state.bulkEarned.insert(BulkKey(requestId: requestId, customerId: customerId)).inserted {
                    state.stats.bulkItems809 += 1
                    items.append(.failed(customerId: customerId, APIError(
                        code: 809, message: "Request with the same requestId is not allowed", reference: "requestId")))
                } else if let error = candidate.badgeError {
                    // `keepRejectedIds`: the refused customer's key is kept, answered 809 from then on.
                    if !configuration.keepRejectedIds { state.bulkEarned.remove(BulkKey(requestId: requestId, customerId: customerId)) }
                    state.stats.bulkItemsRejected += 1
                    state.rejectedByCode[error.code, default: 0] += 1
                    items.append(.failed(customerId: customerId, error))
                } else {
                    let (record, expiresOnMicros) = commit(candidate, wallNow: wallNow, state: &state)
                    state.stats.bulkItemsEarned += 1
                    committed += 1
                    items.append(.earned(record, expiresOnMicros: expiresOnMicros, issuedID: candidate.issuedID))
                }
            }
        }
        let after = committed > 0 ? afterCommit(draws, state: &state) : .answer
        if after == .answer { state.stats.bulkAnswered += 1 }
        return (items, after)
    }

    /// The shared fields once (their errors are the whole request's), then each customer.
    func validateBulk(_ request: EarnBulkRequestBody?) -> BulkValidation {
        guard let request else {
            return .invalid([APIError(code: Code.malformedBody, message: "Request body is not a valid JSON object", reference: nil)])
        }
        guard let customerIds = request.customerIds, !customerIds.isEmpty else {
            return .invalid([APIError(code: 812, message: "CustomerIds information is missing", reference: "customerIds")])
        }
        if customerIds.count > configuration.bulkMax {
            return .invalid([APIError(code: Self.tooManyCustomers, message: "too many customers in one request (\(customerIds.count) > \(configuration.bulkMax))",
                                      reference: "customerIds")])
        }
        func single(_ customer: EarnRequestBody.CustomerID) -> EarnRequestBody {
            EarnRequestBody(badgeMetaId: request.badgeMetaId, customerId: customer, requestId: request.requestId,
                            earnEventDate: request.earnEventDate, ownerType: request.ownerType, referenceId: request.referenceId)
        }
        if case .invalid(let errors) = validate(single(.value(1))) { return .invalid(errors) }
        let customers = customerIds.map { customer -> BulkCustomer in
            switch validate(single(customer)) {
            case .valid(let candidate): return .valid(candidate)
            case .invalid(let errors): return .invalid(errors.first ?? APIError(code: Code.invalidCustomerId,
                                                                                message: "CustomerId must be a positive integer",
                                                                                reference: "customerIds"))
            }
        }
        return .valid(requestId: request.requestId ?? "", customers: customers)
    }
}
