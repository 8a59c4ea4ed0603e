/// Everything the mock earn API can be told: where to listen, which badges exist, which
/// credentials it wants, and which of the real service's failures to imitate, how often.
/// Defaults: loopback, a free port, no catalog, auth off, no faults, no rate limit.
public struct MockConfiguration: Sendable {
    /// Basic credentials; the client sends `base64(username ":" md5hex(password))`.
    public struct BasicCredentials: Sendable, Equatable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// An OAuth API client: `POST /v3/oauth/token/generate {"key","secret"}` gives a token.
    public struct OAuthClient: Sendable, Equatable {
        public var key: String
        public var secret: String

        public init(key: String, secret: String) {
            self.key = key
            self.secret = secret
        }
    }

    /// The real service's bad days, each a share of earn requests in [0, 1]. Per earn request
    /// the mock draws, under its lock and in arrival order, four numbers from SplitMix64(seed):
    /// u1 picks the fault (`[0, failBefore)` 5xx before processing, then `throttle` 429, then
    /// `failAfterCommit` 500 after commit, then `dropAfterCommit` close after commit; the
    /// after-commit faults apply only when the request actually commits an earn), u2 decides a
    /// slow answer (`< slowRate`), u3 scales the jitter, u4 picks the 5xx status. So the rates
    /// of the first four must add up to at most 1.
    public struct Faults: Sendable, Equatable {
        /// Added to every earn answer (including errors), via the event loop's timers.
        public var latencyMs: Int
        /// Uniform extra delay in [0, jitterMs).
        public var jitterMs: Int
        /// Share answered 5xx before anything is processed.
        public var failBeforeRate: Double
        /// The 5xx statuses to pick from, uniformly.
        public var failBeforeStatuses: [Int]
        /// Share answered 500 after the earn was committed.
        public var failAfterCommitRate: Double
        /// Share whose connection is closed after the earn was committed, without any answer.
        public var dropAfterCommitRate: Double
        /// Share answered 429 with `Retry-After: retryAfterSeconds`, before processing.
        public var throttleRate: Double
        public var retryAfterSeconds: Int
        /// Share answered `slowMs` later than the others (past a client's timeout).
        public var slowRate: Double
        public var slowMs: Int

        public init(latencyMs: Int = 0, jitterMs: Int = 0,
                    failBeforeRate: Double = 0, failBeforeStatuses: [Int] = [503, 502, 504, 520],
                    failAfterCommitRate: Double = 0, dropAfterCommitRate: Double = 0,
                    throttleRate: Double = 0, retryAfterSeconds: Int = 1,
                    slowRate: Double = 0, slowMs: Int = 0) {
            self.latencyMs = latencyMs
            self.jitterMs = jitterMs
            self.failBeforeRate = failBeforeRate
            self.failBeforeStatuses = failBeforeStatuses
            self.failAfterCommitRate = failAfterCommitRate
            self.dropAfterCommitRate = dropAfterCommitRate
            self.throttleRate = throttleRate
            self.retryAfterSeconds = retryAfterSeconds
            self.slowRate = slowRate
            self.slowMs = slowMs
        }

        /// Nothing goes wrong.
        public static let none = Faults()

        func validate() throws {
            for (name, rate) in [("fail-before-rate", failBeforeRate), ("fail-after-commit-rate", failAfterCommitRate),
                                 ("drop-after-commit-rate", dropAfterCommitRate), ("throttle-rate", throttleRate),
                                 ("slow-rate", slowRate)] where !(rate >= 0 && rate <= 1) {
                throw MockConfigurationError("\(name) must be between 0 and 1 (got \(rate))")
            }
            if failBeforeRate + throttleRate + failAfterCommitRate + dropAfterCommitRate > 1 + 1e-9 {
                throw MockConfigurationError(
                    "fail-before, throttle, fail-after-commit and drop-after-commit rates add up to more than 1")
            }
            for (name, value) in [("latency-ms", latencyMs), ("jitter-ms", jitterMs), ("slow-ms", slowMs),
                                  ("retry-after", retryAfterSeconds)] where value < 0 {
                throw MockConfigurationError("\(name) must not be negative (got \(value))")
            }
            if failBeforeRate > 0 {
                guard !failBeforeStatuses.isEmpty, failBeforeStatuses.allSatisfy({ (500...599).contains($0) }) else {
                    throw MockConfigurationError("fail-before statuses must be 5xx codes")
                }
            }
        }
    }

    /// Address to bind: loopback unless told otherwise.
    public var host: String
    /// 0 picks a free port (read it back from `MockEarnServer.port`).
    public var port: Int
    /// Event loop threads; default one per core.
    public var threads: Int?
    /// Known badges; nil means any 24-hex id is a live direct-earn badge.
    public var catalog: BadgeCatalog?
    /// Auth is off when both are nil; when both are set either one is accepted.
    public var basic: BasicCredentials?
    public var oauth: OAuthClient?
    /// Lifetime of issued OAuth tokens.
    public var tokenTTLSeconds: Int
    public var faults: Faults
    /// The real rate limit over all earn requests (token bucket); nil is unlimited.
    public var rateLimit: MockRateLimit?
    /// Bucket size; default one second's worth of requests (at least 1).
    public var rateBurst: Int?
    /// Seeds every fault decision (see `Faults`).
    public var seed: UInt64
    public var clock: MockClock
    /// How far in the future an event date may lie before 750 (the docs allow 24 h).
    public var futureToleranceSeconds: Double
    /// Larger bodies answer 413.
    public var maxBodyBytes: Int
    /// Remember the requestIds of earns a badge rule refused and answer 809 to them later, as
    /// the real service may (its idempotency page does not say it forgets them).
    public var keepRejectedIds: Bool = false
    /// Answer the read endpoints (badge definition, customer badges) 403, as for an access
    /// group without read rights.
    public var denyReads: Bool = false
    /// The most customers one bulk earn takes; more is a 400 with code 818.
    public var bulkMax: Int

    public init(host: String = "127.0.0.1", port: Int = 0, threads: Int? = nil, catalog: BadgeCatalog? = nil,
                basic: BasicCredentials? = nil, oauth: OAuthClient? = nil, tokenTTLSeconds: Int = 300,
                faults: Faults = .none, rateLimit: MockRateLimit? = nil, rateBurst: Int? = nil, seed: UInt64 = 1,
                clock: MockClock = .system, futureToleranceSeconds: Double = 86_400, maxBodyBytes: Int = 1 << 20,
                bulkMax: Int = 100) {
        self.host = host
        self.port = port
        self.threads = threads
        self.catalog = catalog
        self.basic = basic
        self.oauth = oauth
        self.tokenTTLSeconds = tokenTTLSeconds
        self.faults = faults
        self.rateLimit = rateLimit
        self.rateBurst = rateBurst
        self.seed = seed
        self.clock = clock
        self.futureToleranceSeconds = futureToleranceSeconds
        self.maxBodyBytes = maxBodyBytes
        self.bulkMax = bulkMax
    }

    /// Refuses settings that cannot mean anything, before binding.
    public func validate() throws {
        try faults.validate()
        guard (0...65535).contains(port) else { throw MockConfigurationError("port must be 0...65535 (got \(port))") }
        if let threads, threads < 1 { throw MockConfigurationError("threads must be at least 1") }
        guard tokenTTLSeconds > 0 else { throw MockConfigurationError("token-ttl must be positive") }
        guard bulkMax >= 1 else { throw MockConfigurationError("bulk-max must be at least 1 (got \(bulkMax))") }
        if let rateBurst, rateBurst < 1 { throw MockConfigurationError("rate burst must be at least 1") }
        if let basic, basic.username.isEmpty || basic.username.contains(":") {
            throw MockConfigurationError("username must be non-empty and contain no ':'")
        }
    }
}

/// A configuration the mock refuses to start with.
public struct MockConfigurationError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
