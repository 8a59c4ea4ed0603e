import Digest
import EarnAPI
import Foundation
import Logging
import Synchronization

/// `badge-import verify`: for every row the ledgers hold as done (or a seeded sample of them),
/// read the customer's earned badges once per distinct customer, through `concurrency` workers
/// paced like a run, and decide per row: confirmed, missing or unverifiable. Verdicts go to
/// verify.csv as they are decided, so a killed verify continues where it stopped.
public final class VerifyRun: Sendable {
    public typealias TransportFactory = @Sendable () throws -> any Transport

    public let control = RunControl()
    private let options: VerifyOptions
    private let clock: Clock
    private let random: RandomSource
    private let logger: Logger
    private let makeTransport: TransportFactory
    /// Verdict tallies, the next customer to read, and verify.csv, under one lock.
    private let progress = Mutex(Progress())

    public init(options: VerifyOptions, clock: Clock = .system, random: RandomSource = .system,
                logger: Logger = Logger(label: "badge-import", factory: { _ in SwiftLogNoOpLogHandler() }),
                makeTransport: TransportFactory? = nil) {
        self.options = options
        self.clock = clock
        self.random = random
        self.logger = logger
        let caFile = options.api.caFile
        self.makeTransport = makeTransport ?? { try CurlTransport(options: CurlTransport.Options(caFile: caFile)) }
    }

    private struct Progress {
        var journal: CSVWriter?
        var counts: [VerifyVerdict: Int] = [:]
        var customersRead = 0
        var nextCustomer = 0
    }

    public func execute() throws(ImportError) -> VerifySummary {
        let started = clock.now(), startedWall = clock.wallNow()
        let done = try readLedgers()
        let chosen = Self.sample(done, size: options.sample, seed: options.seed)
        do { try FileManager.default.createDirectory(atPath: options.reportDir, withIntermediateDirectories: true) } catch {
            throw ImportError(.configuration, "cannot create report directory \(options.reportDir): \(error.localizedDescription)")
        }
        let kept = VerifyJournal.carriedOver(in: options.reportDir)
        var counts: [VerifyVerdict: Int] = [:], carried: [[String]] = []
        var toCheck: [Int64: [Ledger.DoneRow]] = [:], customers: [Int64] = []
        for row in chosen {
            if let earlier = kept[row.requestId] {
                carried.append(earlier.line)
                counts[earlier.verdict, default: 0] += 1
                continue
            }
            if toCheck[row.customerId] == nil { customers.append(row.customerId) }
            toCheck[row.customerId, default: []].append(row)
        }
        let resumed = chosen.count - toCheck.values.reduce(0) { $0 + $1.count }
        let auth: EarnAuth
        do { auth = try buildAuth() } catch { throw ImportError(.configuration, "\(error)") }
        do {
            try progress.withLock { state throws(ReportError) in
                let journal = try CSVWriter(path: options.reportDir + "/verify.csv", header: VerifyJournal.header)
                for line in carried { journal.write(line) }
                state = Progress(journal: journal, counts: counts)
            }
        } catch { throw ImportError(.configuration, error.description) }
        let limiter = RateLimiter(mode: options.api.rate.map { .fixed($0) } ?? .adaptive(ceiling: nil), clock: clock)
        let finished = DispatchGroup()
        let rows = toCheck, queue = customers
        for _ in 0..<max(1, min(options.api.concurrency, customers.count)) {
            finished.enter()
            Thread { [self] in
                work(customers: queue, rows: rows, auth: auth, limiter: limiter)
                finished.leave()
            }.start()
        }
        finished.wait()
        return try finish(done: done.count, checked: chosen.count, resumed: resumed,
                          startedWall: startedWall, duration: clock.now() - started)
    }

    /// One worker: takes the next customer, reads its badges, writes a verdict per row.
    private func work(customers: [Int64], rows: [Int64: [Ledger.DoneRow]], auth: EarnAuth, limiter: RateLimiter) {
        let reader: BadgeReader
        do {
            let api = options.api
            reader = BadgeReader(baseURL: api.baseURL, auth: auth, transport: try makeTransport(),
                                 policy: SendPolicy(maxAttempts: api.maxAttempts, timeout: api.timeout,
                                                    backoff: Backoff(base: api.backoffBase, cap: api.backoffCap)),
                                 limiter: limiter, clock: clock, random: random)
        } catch {
            control.stop(because: "cannot open a connection: \(error)")
            return
        }
        while !control.isStopping {
            let index: Int = progress.withLock { state in
                defer { state.nextCustomer += 1 }
                return state.nextCustomer
            }
            guard index < customers.count else { return }
            let customer = customers[index]
            let answer = reader.heldBadges(of: customer, shouldStop: { control.isStopping })
            var lines: [[String]] = [], verdicts: [VerifyVerdict] = []
            for row in rows[customer] ?? [] {
                let (verdict, detail): (VerifyVerdict, String)
                switch answer {
                case .found(let held): (verdict, detail) = VerifyVerdict.decide(row, held: held)
                case .unknown(let code, let message): (verdict, detail) = (.unverifiable, "\(code): \(message)")
                case .failed(let problem, _): (verdict, detail) = (.unverifiable, problem)
                }
                lines.append(VerifyJournal.line(row, verdict, detail))
                verdicts.append(verdict)
            }
            if control.isStopping, case .failed = answer { return }  // stopped mid-read: not a verdict
            progress.withLock { state in
                state.customersRead += 1
                for verdict in verdicts { state.counts[verdict, default: 0] += 1 }
                for line in lines { state.journal?.write(line) }
                // Every verdict reaches the disk as it is made: a killed verify keeps them.
                state.journal?.flush()
            }
            if case .failed(let problem, let status?) = answer, status == 401 || status == 403 {
                control.stop(because: "the API refused the customer read (\(problem)); every read would fail")
            }
        }
    }

    private func finish(done: Int, checked: Int, resumed: Int, startedWall: Date, duration: Double) throws(ImportError) -> VerifySummary {
        let progress: Progress
        do {
            progress = try self.progress.withLock { state throws(ReportError) -> Progress in
                try state.journal?.finish()
                return Progress(counts: state.counts, customersRead: state.customersRead)
            }
        } catch { throw ImportError(.report, error.description) }
        let decided = progress.counts.values.reduce(0, +)
        let aborted = control.stopReason ?? (decided < checked ? "not every row was checked" : nil)
        let bad = (progress.counts[.missing] ?? 0) + (progress.counts[.unverifiable] ?? 0)
        let summary = VerifySummary(
            ledgers: options.ledgers, baseURL: options.api.baseURL, startedAt: RunSummary.timestamp(startedWall),
            durationSeconds: duration, doneRows: done, checkedRows: checked, sample: options.sample,
            seed: options.sample == nil ? nil : options.seed, resumedRows: resumed,
            confirmed: progress.counts[.confirmed] ?? 0, missing: progress.counts[.missing] ?? 0,
            unverifiable: progress.counts[.unverifiable] ?? 0, customersRead: progress.customersRead,
            complete: aborted == nil, aborted: aborted,
            exitCode: aborted != nil ? ExitStatus.aborted.code : bad > 0 ? ExitStatus.rowsNeedALook.code : ExitStatus.success.code)
        do { try summary.jsonData().write(to: URL(fileURLWithPath: options.reportDir + "/summary.json")) } catch {
            throw ImportError(.report, "cannot write \(options.reportDir)/summary.json: \(error.localizedDescription)")
        }
        return summary
    }

    private func readLedgers() throws(ImportError) -> [Ledger.DoneRow] {
        var rows: [Ledger.DoneRow] = []
        for path in options.ledgers {
            guard FileManager.default.fileExists(atPath: path) else { throw ImportError(.configuration, "\(path): no such ledger") }
            do {
                let ledger = try Ledger.openForReading(path: path)
                defer { ledger.close() }
                rows += try ledger.doneRows()
            } catch {
                throw ImportError(.configuration, error.description)
            }
        }
        return rows
    }

    /// All rows, or `size` of them chosen by `seed`: the rows with the smallest SHA-256 of
    /// seed and requestId, in ledger order, so the same seed picks the same rows on a resume.
    static func sample(_ rows: [Ledger.DoneRow], size: Int?, seed: UInt64) -> [Ledger.DoneRow] {
        guard let size, size < rows.count else { return rows }
        let ranked = rows.indices.map { index -> (UInt64, Int) in
            let digest = SHA256.digest(Array("\(seed):\(rows[index].requestId)".utf8))
            return (digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }, index)
        }
        let picked = Set(ranked.sorted { $0 < $1 }.prefix(size).map(\.1))
        return rows.indices.filter(picked.contains).map { rows[$0] }
    }

    private func buildAuth() throws -> EarnAuth {
        try EarnAuth.from(options.api.auth, baseURL: options.api.baseURL, clock: clock, makeTransport: makeTransport)
    }
}
