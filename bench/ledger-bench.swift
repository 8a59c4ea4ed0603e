// Ledger micro-benchmark: record throughput, point and batched lookups at 1M rows, file size,
// status time and peak memory. Built and run by bench/ledger-bench.sh (release build).
import BadgeImport
import Foundation

let arguments = CommandLine.arguments
let rows = arguments.count > 1 ? Int(arguments[1])! : 1_000_000
let directory = arguments.count > 2 ? arguments[2] : "/tmp/ledger-bench"
let path = directory + "/bench.ledger"

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func maxRSSMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024   // Linux reports KiB
}

/// A 64-hex-char id like the SHA-256 requestIds the pipeline makes (splitmix64 of the index).
func requestId(_ index: Int) -> String {
    var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
    let hex = Array("0123456789abcdef".utf8)
    var bytes = [UInt8](repeating: 0, count: 64)
    for word in 0..<4 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        for nibble in 0..<16 { bytes[word * 16 + nibble] = hex[Int((z >> (60 - 4 * UInt64(nibble))) & 0xF)] }
    }
    return String(decoding: bytes, as: UTF8.self)
}

func entry(_ index: Int) -> LedgerEntry {
    let earned = index % 20 != 0
    return LedgerEntry(requestId: requestId(index), status: earned ? .earned : .rejected, attempts: 1,
                       httpStatus: earned ? 200 : 409, errorCode: earned ? nil : "811",
                       errorMessage: earned ? nil : "Badge issue is mandatory before earn",
                       earnedBadgeId: earned ? "66da90618bdb494a4f065774" : nil,
                       issuedId: earned ? "66da903a8bdb494a4f065770" : nil,
                       expiresOn: earned ? 1_726_809_439.822462 : nil,
                       source: "/data/drops/nightly-2026-11-27.csv", line: index + 2,
                       badgeMetaId: "66da90348bdb494a4f06576f", customerId: Int64(62_090_013 + index))
}

func fileSize(_ path: String) -> Int64 {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
}

try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
print("rows: \(rows), ledger: \(path)")

// Generation cost alone, so the record figure can be read net of it.
var start = now()
var sink = 0
for index in 0..<rows { sink &+= entry(index).line }
let generate = now() - start
print(String(format: "generate entries: %.2f s (%.0f rows/s)", generate, Double(rows) / generate))

// 1. Record through LedgerWriter, batches of 500.
var ledger = try Ledger(path: path)
let run = try ledger.startRun(RunStart(startedAt: Date(), inputs: [], options: [:], toolVersion: "bench"))
let writer = LedgerWriter(ledger: ledger, runId: run, batchSize: 500)
start = now()
for index in 0..<rows { try writer.append(entry(index)) }
try writer.flush()
let record = now() - start
print(String(format: "record (batches of 500, incl. generation): %.2f s = %.0f rows/s; net of generation %.0f rows/s",
             record, Double(rows) / record, Double(rows) / max(record - generate, 1e-9)))
ledger.close()
print(String(format: "peak RSS after recording: %.0f MB", maxRSSMB()))
print(String(format: "file size after close: %.1f MB (%.0f bytes/row), wal %lld bytes",
             Double(fileSize(path)) / 1e6, Double(fileSize(path)) / Double(rows), fileSize(path + "-wal")))

// 2. Re-record the same rows (a rerun updating every row: upsert conflict path).
ledger = try Ledger(path: path)
let run2 = try ledger.startRun(RunStart(startedAt: Date(), inputs: [], options: [:], toolVersion: "bench"))
let updates = min(rows, 200_000)
let writer2 = LedgerWriter(ledger: ledger, runId: run2, batchSize: 500)
start = now()
for index in 0..<updates { try writer2.append(entry(index)) }
try writer2.flush()
let update = now() - start
print(String(format: "upsert over existing rows: %d rows in %.2f s = %.0f rows/s", updates, update, Double(updates) / update))
ledger.close()

// 3. Point lookups of every id, in a fresh process-like state (reopened), file order (random keys).
ledger = try Ledger(path: path)
// Ids are made on the fly (about 0.2 µs each) so the benchmark holds no 1M-id array.
start = now()
var done = 0
for index in 0..<rows where try ledger.isDone(requestId: requestId(index))?.isDone == true { done += 1 }
let point = now() - start
print(String(format: "point lookups isDone: %d in %.2f s = %.0f lookups/s (%.2f µs each), done %d",
             rows, point, Double(rows) / point, point / Double(rows) * 1e6, done))
print(String(format: "peak RSS after point lookups: %.0f MB", maxRSSMB()))
start = now()
var missing = 0
for index in rows..<(rows + 200_000) where try ledger.isDone(requestId: requestId(index)) == nil { missing += 1 }
let miss = now() - start
print(String(format: "point lookups of unknown ids (incl. id generation): 200000 in %.2f s = %.2f µs each", miss, miss / 200_000 * 1e6))

// 4. Batched lookups, 500 ids per query.
start = now()
var batchedDone = 0
var offset = 0
while offset < rows {
    let chunk = (offset..<min(offset + 500, rows)).map(requestId)
    batchedDone += try ledger.doneRequestIds(in: chunk).count
    offset += 500
}
let batched = now() - start
print(String(format: "batched lookups doneRequestIds (500/query): %d in %.2f s = %.0f ids/s (%.2f µs each), done %d",
             rows, batched, Double(rows) / batched, batched / Double(rows) * 1e6, batchedDone))

// 5. Status at this size.
start = now()
let status = try ledger.status()
print(String(format: "status(): %.2f s, %d rows, %d error groups", now() - start, status.totalRows, status.errors.count))
ledger.close()
print(String(format: "peak RSS at the end: %.0f MB", maxRSSMB()))

// 6. Reference: one transaction per row (what batching avoids), on a small separate file.
let single = directory + "/single.ledger"
for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: single + suffix) }
let small = try Ledger(path: single)
let run3 = try small.startRun(RunStart(startedAt: Date(), inputs: [], options: [:], toolVersion: "bench"))
start = now()
for index in 0..<20_000 { try small.record([entry(index)], runId: run3) }
let perRow = now() - start
print(String(format: "reference, one transaction per row: 20000 in %.2f s = %.0f rows/s", perRow, 20_000 / perRow))
small.close()
if sink == 42 { print("") }
