/// The ledger's schema as an ordered list of migration steps. `PRAGMA user_version` holds how
/// many steps a file has had; opening applies the missing ones in order, each in its own
/// transaction, and refuses a file that has more steps than this binary knows.
/// Never edit a released step: append a new one.
enum LedgerSchema {
    /// Marks the file as a badge-import ledger ("BILG"), so a stray SQLite file is refused.
    static let applicationID: Int32 = 0x4249_4C47

    static let migrations: [String] = [
        // 1: runs, their inputs, and the latest state of every requestId.
        """
        PRAGMA application_id = \(applicationID);
        CREATE TABLE runs (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at    TEXT NOT NULL,            -- ISO 8601 UTC
            ended_at      TEXT,                     -- NULL while running or after a crash
            options       TEXT NOT NULL,            -- JSON object, secrets removed
            tool_version  TEXT NOT NULL,
            counts        TEXT,                     -- JSON object RowStatus raw value -> count
            requests_sent INTEGER,
            retries       INTEGER,
            exit_code     INTEGER,
            abort_reason  TEXT
        );
        CREATE TABLE run_inputs (
            run_id          INTEGER NOT NULL REFERENCES runs(id),
            position        INTEGER NOT NULL,
            path            TEXT NOT NULL,
            sha256          TEXT NOT NULL,          -- content hash, lower-case hex
            bytes           INTEGER NOT NULL,
            fully_processed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, position)
        );
        -- A rowid table in insertion (file) order plus a unique index on request_id, rather than
        -- a WITHOUT ROWID table keyed by the random, hash-like requestId: a batch then dirties a
        -- few table pages plus small index pages instead of one wide leaf page per row, and a
        -- rerun in file order updates table pages sequentially (measured: 3x faster upserts).
        CREATE TABLE entries (
            id              INTEGER PRIMARY KEY,
            request_id      TEXT NOT NULL UNIQUE,
            status          TEXT NOT NULL,          -- RowStatus raw value
            attempts        INTEGER NOT NULL,       -- cumulative over all runs
            http_status     INTEGER,
            error_code      TEXT,
            error_message   TEXT,
            earned_badge_id TEXT,
            issued_id       TEXT,
            expires_on      REAL,                   -- epoch seconds, as the API sends it
            source          TEXT NOT NULL,
            line            INTEGER NOT NULL,
            badge_meta_id   TEXT NOT NULL,
            customer_id     INTEGER NOT NULL,
            run_id          INTEGER NOT NULL,       -- the run that last touched the row
            updated_at      REAL NOT NULL           -- epoch seconds
        );
        """,
        // 2: the nightly-drop question "was this exact file fully processed?" by content hash.
        """
        CREATE INDEX run_inputs_done_by_hash ON run_inputs(sha256) WHERE fully_processed = 1;
        """,
        // 3: each run's summary.json, so `badge-import report` can render any past run again.
        """
        ALTER TABLE runs ADD COLUMN summary_json TEXT;
        """,
        // 4: the API the ledger's "done" holds for (see LedgerTarget): one row, never a secret.
        """
        CREATE TABLE target (
            id        INTEGER PRIMARY KEY CHECK (id = 1),
            base_url  TEXT NOT NULL,                -- normalised
            identity  TEXT NOT NULL,                -- basic:<user>, oauth:<client key> or none
            bound_at  TEXT NOT NULL                 -- ISO 8601 UTC, the first run or the last rebind
        );
        """,
        // 5: bulk earns' batch intents. A batch's requestId and its members (the rows' sent
        // requestIds, with what it takes to send them again) are committed before the batch is
        // sent; the intent stays open until every member has a definitive answer, so a batch
        // whose answer never arrived is resent with the same requestId and the same members.
        """
        CREATE TABLE batch_intents (
            request_id      TEXT PRIMARY KEY,      -- the batch's requestId (BatchRequestID)
            state           TEXT NOT NULL,         -- open | done | refused (too large: earned nothing)
            badge_meta_id   TEXT NOT NULL,
            owner_type      TEXT NOT NULL,
            reference_id    TEXT NOT NULL,
            earn_event_date TEXT,                  -- as sent, or NULL
            run_id          INTEGER NOT NULL,      -- the run that opened it
            opened_at       REAL NOT NULL,         -- epoch seconds
            closed_at       REAL
        );
        CREATE INDEX batch_intents_open ON batch_intents(state) WHERE state = 'open';
        CREATE TABLE batch_members (
            batch_request_id TEXT NOT NULL REFERENCES batch_intents(request_id),
            request_id       TEXT NOT NULL,        -- the row's sent requestId
            customer_id      INTEGER NOT NULL,
            source           TEXT NOT NULL,
            line             INTEGER NOT NULL,
            PRIMARY KEY (batch_request_id, request_id)
        ) WITHOUT ROWID;
        """,
        // 6: generations (RequestID.sent): after a definitive rejection a row is sent under
        // identity + "-g" + generation. An entry keeps the generation of its last send (or of
        // the send a preflight kept back) and that send's requestId (NULL: the identity); a
        // batch member keeps the generation it was committed with, so a resent batch records
        // what it sent. batch_members.request_id is the row's identity (step 5's comment
        // predates generations: the two were the same then); its sent id follows from both.
        """
        ALTER TABLE entries ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entries ADD COLUMN sent_request_id TEXT;
        ALTER TABLE batch_members ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
        """,
    ]
    /// The first schema version with generations (step 6): a read-only open of an older file
    /// reads every entry as generation 0, sent under its identity.
    static let generationsVersion: Int32 = 6

    static var currentVersion: Int32 { Int32(migrations.count) }
}
