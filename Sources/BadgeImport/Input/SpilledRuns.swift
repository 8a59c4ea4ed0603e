/// The fingerprints the duplicate check moved out of memory: sorted runs of (fingerprint, log
/// offset) pairs in scratch files, merged four at a time into runs four times larger (so a
/// lookup visits a few runs, however many spills there were, and each pair is rewritten about
/// log₄(spills) times). In memory per run: one fence, the first fingerprint, per 1,024 pairs
/// (8 bytes per 16 KiB of run), and nothing else.
final class SpilledRuns {
    struct Pair {
        var fingerprint: UInt64
        var offset: Int64
    }

    private struct Run {
        var file: ScratchFile
        var count: Int
        /// The first fingerprint of each block of `blockPairs` pairs.
        var fences: [UInt64]
        var level: Int
    }

    static let blockPairs = 1024
    static let pairBytes = 16
    /// Runs of one level merged into one of the next.
    static let fanIn = 4

    private let directory: String
    private var runs: [Run] = []
    private let block: UnsafeMutableBufferPointer<Pair>

    init(directory: String) {
        self.directory = directory
        block = .allocate(capacity: Self.blockPairs)
    }

    deinit { block.deallocate() }

    var runCount: Int { runs.count }
    var pairCount: Int { runs.reduce(0) { $0 + $1.count } }

    /// Adds one run; `write` hands over its pairs in ascending fingerprint order.
    func add(_ write: (_ append: (Pair) throws(InputError) -> Void) throws(InputError) -> Void) throws(InputError) {
        let writer = try RunWriter(directory: directory)
        try write { (pair: Pair) throws(InputError) in try writer.append(pair) }
        runs.append(try writer.finish(level: 0))
        try compact()
    }

    /// Calls `body` with the log offset of every pair holding `fingerprint` until it returns true.
    func visit(_ fingerprint: UInt64, _ body: (Int64) throws(InputError) -> Bool) throws(InputError) -> Bool {
        for run in runs where run.count > 0 {
            if try visit(fingerprint, in: run, body) { return true }
        }
        return false
    }

    private func visit(_ fingerprint: UInt64, in run: Run, _ body: (Int64) throws(InputError) -> Bool) throws(InputError) -> Bool {
        // The first block that may hold it: the last whose fence is below it (an equal pair can
        // open the next block and still continue from this one).
        var low = 0, high = run.fences.count
        while low < high {
            let mid = (low + high) / 2
            if run.fences[mid] < fingerprint { low = mid + 1 } else { high = mid }
        }
        var index = max(0, low - 1)
        while index < run.fences.count && run.fences[index] <= fingerprint {
            let first = index * Self.blockPairs
            let count = min(Self.blockPairs, run.count - first)
            try run.file.read(at: Int64(first * Self.pairBytes),
                              into: UnsafeMutableRawBufferPointer(start: block.baseAddress, count: count * Self.pairBytes))
            for k in 0..<count {
                let pair = block[k]
                if pair.fingerprint > fingerprint { return false }
                if pair.fingerprint == fingerprint, try body(pair.offset) { return true }
            }
            index += 1
        }
        return false
    }

    /// Merges `fanIn` runs of a level into one of the next, as long as a level has that many.
    private func compact() throws(InputError) {
        while let level = Dictionary(grouping: runs.map(\.level), by: { $0 }).first(where: { $0.value.count >= Self.fanIn })?.key {
            let chosen = runs.indices.filter { runs[$0].level == level }.prefix(Self.fanIn)
            let merged = try merge(chosen.map { runs[$0] }, level: level + 1)
            for index in chosen.reversed() { runs.remove(at: index) }
            runs.append(merged)
        }
    }

    private func merge(_ sources: [Run], level: Int) throws(InputError) -> Run {
        let readers = sources.map { RunReader(run: $0.file, count: $0.count) }
        defer { for reader in readers { reader.release() } }
        let writer = try RunWriter(directory: directory)
        var heads = [Pair?]()
        for reader in readers { heads.append(try reader.next()) }
        while true {
            var best = -1
            for k in heads.indices {
                guard let head = heads[k] else { continue }
                if best < 0 || head.fingerprint < heads[best]!.fingerprint { best = k }
            }
            if best < 0 { break }
            try writer.append(heads[best]!)
            heads[best] = try readers[best].next()
        }
        return try writer.finish(level: level)
    }

    /// Writes one run, taking its fences on the way.
    private final class RunWriter {
        let file: ScratchFile
        var count = 0
        var fences: [UInt64] = []

        init(directory: String) throws(InputError) { file = try ScratchFile(directory: directory) }

        func append(_ pair: Pair) throws(InputError) {
            if count % SpilledRuns.blockPairs == 0 { fences.append(pair.fingerprint) }
            try file.append(pair)
            count += 1
        }

        func finish(level: Int) throws(InputError) -> Run {
            try file.flush()
            return Run(file: file, count: count, fences: fences, level: level)
        }
    }

    /// Reads one run front to back, a block at a time.
    private final class RunReader {
        let file: ScratchFile
        let count: Int
        var position = 0
        var buffered = 0
        var cursor = 0
        let buffer: UnsafeMutableBufferPointer<Pair>

        init(run: ScratchFile, count: Int) {
            file = run
            self.count = count
            buffer = .allocate(capacity: SpilledRuns.blockPairs * 4)
        }

        func release() { buffer.deallocate() }

        func next() throws(InputError) -> Pair? {
            if cursor == buffered {
                guard position < count else { return nil }
                buffered = min(buffer.count, count - position)
                try file.read(at: Int64(position * SpilledRuns.pairBytes),
                              into: UnsafeMutableRawBufferPointer(start: buffer.baseAddress, count: buffered * SpilledRuns.pairBytes))
                position += buffered
                cursor = 0
            }
            cursor += 1
            return buffer[cursor - 1]
        }
    }
}
