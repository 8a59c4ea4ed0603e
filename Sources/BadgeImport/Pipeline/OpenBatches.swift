/// The batch intents an earlier run left open (their answer never arrived), loaded when the run
/// starts. A row that is a member of one is held here, never sent on its own; at the end of
/// reading each intent is resent with exactly its members, whichever of them this run read.
final class OpenBatches {
    private var intents: [BatchIntent]
    /// Member requestId -> index in `intents`.
    private var owner: [String: Int] = [:]
    private var read: [String: Job] = [:]

    init(_ intents: [BatchIntent]) {
        self.intents = intents
        for (index, intent) in intents.enumerated() {
            for member in intent.members { owner[member.requestId] = index }
        }
    }

    var isEmpty: Bool { intents.isEmpty }
    var count: Int { intents.count }

    func isMember(_ requestId: String) -> Bool { owner[requestId] != nil }

    /// Holds the row when an open intent has it; false when it is not a member of one.
    func claim(_ job: Job) -> Bool {
        guard owner[job.row.requestId] != nil else { return false }
        read[job.row.requestId] = job
        return true
    }

    /// Every intent, resent as it is.
    func flush(emit: (Work) -> Void) {
        for intent in intents {
            let batch = BatchJob(resending: intent, read: read)
            if intent.isSingle, let member = batch.members.first {
                emit(.single(Job(row: member.row, original: member.original, inInput: member.inInput, announced: true)))
            } else {
                emit(.batch(batch))
            }
        }
        intents = []
        read = [:]
    }

    /// The rows held, not sent (the run is stopping).
    func drain() -> [Job] {
        let jobs = Array(read.values).sorted { ($0.row.source, $0.row.line) < ($1.row.source, $1.row.line) }
        intents = []
        read = [:]
        return jobs
    }
}
