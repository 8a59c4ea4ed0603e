import EarnAPI

/// Groups rows for bulk earns as they are read, in any order: rows sharing badgeMetaId,
/// ownerType, referenceId and event instant (the same normalised instant, or both without one)
/// wait in an open group. A group goes out when it reaches the bulk size, when the buffer is
/// full (the oldest group first), and at the end. A group of one goes as a single earn. Memory
/// stays flat: at most `maxGroups` groups and `maxRows` rows are held.
final class BatchGrouper {
    struct Key: Hashable {
        var badgeMetaId: String
        var ownerType: OwnerType
        var referenceId: String
        var earnEventDate: String?

        init(_ row: EarnRow) {
            badgeMetaId = row.badgeMetaId
            ownerType = row.ownerType
            referenceId = row.referenceId
            earnEventDate = row.earnEventDate
        }
    }

    private struct Group {
        var serial: Int
        var jobs: [Job]
        var customers: Set<Int64>
    }

    private let limit: BulkLimit
    let maxGroups: Int
    let maxRows: Int
    private var groups: [Key: Group] = [:]
    /// Groups in the order they opened, with their serial: an entry whose group has gone out
    /// (or reopened under a new serial) is skipped.
    private var order: [(key: Key, serial: Int)] = []
    private var orderStart = 0
    private var nextSerial = 0
    private(set) var heldRows = 0

    init(limit: BulkLimit, maxGroups: Int = 4_096, maxRows: Int = 50_000) {
        self.limit = limit
        self.maxGroups = max(1, maxGroups)
        self.maxRows = max(1, maxRows)
    }

    func add(_ job: Job, emit: (Work) -> Void) {
        let key = Key(job.row)
        if let index = groups.index(forKey: key) {
            // In place: a copy of the group out of the table would copy its rows on every append.
            // One customer once per batch: the answer is per customer. Another requestId for the
            // same customer and event (a requestId column) goes on its own.
            guard groups.values[index].customers.insert(job.row.customerId).inserted else { return emit(.single(job)) }
            groups.values[index].jobs.append(job)
            heldRows += 1
            if groups.values[index].jobs.count >= limit.current {
                let group = groups.remove(at: index).value
                heldRows -= group.jobs.count
                send(group.jobs, emit: emit)
            }
        } else {
            nextSerial += 1
            groups[key] = Group(serial: nextSerial, jobs: [job], customers: [job.row.customerId])
            order.append((key, nextSerial))
            heldRows += 1
            if limit.current <= 1 { flush(key, emit: emit) }
        }
        while groups.count > maxGroups || heldRows > maxRows { flushOldest(emit: emit) }
    }

    /// Everything held, oldest group first (the end of the input).
    func flushAll(emit: (Work) -> Void) {
        while !groups.isEmpty { flushOldest(emit: emit) }
        order.removeAll()
        orderStart = 0
    }

    /// Everything held, not sent (the run is stopping).
    func drain() -> [Job] {
        let jobs = groups.values.sorted { $0.serial < $1.serial }.flatMap(\.jobs)
        groups.removeAll()
        order.removeAll()
        orderStart = 0
        heldRows = 0
        return jobs
    }

    private func flushOldest(emit: (Work) -> Void) {
        while orderStart < order.count {
            let (key, serial) = order[orderStart]
            orderStart += 1
            if groups[key]?.serial == serial {
                flush(key, emit: emit)
                break
            }
        }
        if orderStart > 4_096 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }

    private func flush(_ key: Key, emit: (Work) -> Void) {
        guard let group = groups.removeValue(forKey: key) else { return }
        heldRows -= group.jobs.count
        send(group.jobs, emit: emit)
    }

    /// In batches of the current bulk size (it may have shrunk while the group filled).
    private func send(_ jobs: [Job], emit: (Work) -> Void) {
        let size = max(1, limit.current)
        var start = 0
        while start < jobs.count {
            let part = Array(jobs[start..<min(jobs.count, start + size)])
            emit(part.count == 1 ? .single(part[0]) : .batch(BatchJob(rows: part)))
            start += size
        }
    }
}
