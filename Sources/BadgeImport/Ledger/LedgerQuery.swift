/// The ledger's statements, each prepared once per connection and reused (`Ledger.with`).
enum LedgerQuery: CaseIterable {
    case begin, beginRead, commit, rollback
    case entry, entryBeforeGenerations, upsert
    case insertRun, insertInput, finishRun, summary, lastSuccess
    case inputDone, inputDoneOfSize, markInput, nextInputPosition
    case intentState, insertIntent, insertMember, closeIntent

    var sql: String {
        switch self {
        case .begin: return "BEGIN IMMEDIATE"
        case .beginRead: return "BEGIN DEFERRED"
        case .commit: return "COMMIT"
        case .rollback: return "ROLLBACK"
        case .entry, .entryBeforeGenerations:
            // A file opened read-only before step 6 has no generation: every row was sent as itself.
            let generation = self == .entry ? "generation" : "0"
            return """
            SELECT request_id, status, attempts, http_status, error_code, error_message, earned_badge_id,
                   issued_id, expires_on, source, line, badge_meta_id, customer_id, run_id, updated_at, \(generation)
            FROM entries WHERE request_id = ?1
            """
        case .upsert: return Self.upsertSQL
        case .insertRun:
            return "INSERT INTO runs (started_at, options, tool_version) VALUES (?1, ?2, ?3)"
        case .insertInput:
            return "INSERT INTO run_inputs (run_id, position, path, sha256, bytes, fully_processed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        case .finishRun:
            return """
            UPDATE runs SET ended_at = ?2, counts = ?3, requests_sent = ?4, retries = ?5, exit_code = ?6,
                            abort_reason = ?7, summary_json = ?8 WHERE id = ?1
            """
        case .summary:
            return """
            SELECT id, summary_json FROM runs WHERE summary_json IS NOT NULL AND (?1 IS NULL OR id = ?1)
            ORDER BY id DESC LIMIT 1
            """
        case .lastSuccess:
            return "SELECT ended_at FROM runs WHERE exit_code = 0 AND ended_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        case .inputDone:
            return "SELECT 1 FROM run_inputs WHERE sha256 = ?1 AND fully_processed = 1 LIMIT 1"
        case .inputDoneOfSize:
            // No index: a ledger holds one row per input per run, thousands at most.
            return "SELECT 1 FROM run_inputs WHERE bytes = ?1 AND fully_processed = 1 LIMIT 1"
        case .markInput:
            // An input hashed on the way was listed at the run's start without its hash.
            return """
            UPDATE run_inputs SET fully_processed = 1, sha256 = ?3, bytes = ?4
            WHERE run_id = ?1 AND path = ?2 AND (sha256 = ?3 OR sha256 = '')
            """
        case .intentState:
            return "SELECT state FROM batch_intents WHERE request_id = ?1"
        case .insertIntent:
            return """
            INSERT INTO batch_intents (request_id, state, badge_meta_id, owner_type, reference_id, earn_event_date,
                                       run_id, opened_at)
            VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?6, ?7)
            """
        case .insertMember:
            return """
            INSERT OR IGNORE INTO batch_members (batch_request_id, request_id, customer_id, source, line, generation)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """
        case .closeIntent:
            return "UPDATE batch_intents SET state = ?2, closed_at = ?3 WHERE request_id = ?1 AND state = 'open'"
        case .nextInputPosition:
            return "SELECT coalesce(max(position), -1) + 1 FROM run_inputs WHERE run_id = ?1"
        }
    }

    /// The entry upsert, built once: its keep-the-done-row rule is repeated for every column.
    private static let upsertSQL: String = {
        // Keep the stored result when it is done (earned/duplicate/already-done) and the new
        // one is not an upgrade to earned: a done row is never downgraded, and earned keeps
        // its earnedBadgeId. A duplicate-in-input row never replaces its first occurrence.
        // Attempts add up in every case: they count real sends. A kept row keeps its
        // generation and sent id too: they say what the server holds it under.
        // Equalities, not `IN (...)`: each IN list builds an ephemeral table per evaluation,
        // which made this statement 100x slower on conflicts (measured).
        let keepOld = """
        (excluded.status = 'duplicate-in-input' OR
         entries.status = 'earned' OR
         ((entries.status = 'duplicate' OR entries.status = 'already-done') AND excluded.status <> 'earned'))
        """
        let columns = ["status", "http_status", "error_code", "error_message", "earned_badge_id",
                       "issued_id", "expires_on", "source", "line", "badge_meta_id", "customer_id",
                       "generation", "sent_request_id"]
        let updates = columns.map { "\($0) = CASE WHEN \(keepOld) THEN entries.\($0) ELSE excluded.\($0) END" }
        return """
        INSERT INTO entries (request_id, status, attempts, http_status, error_code, error_message,
                             earned_badge_id, issued_id, expires_on, source, line, badge_meta_id,
                             customer_id, run_id, updated_at, generation, sent_request_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
        ON CONFLICT (request_id) DO UPDATE SET
            \(updates.joined(separator: ",\n    ")),
            attempts = entries.attempts + excluded.attempts,
            run_id = excluded.run_id,
            updated_at = excluded.updated_at
        """
    }()
}
