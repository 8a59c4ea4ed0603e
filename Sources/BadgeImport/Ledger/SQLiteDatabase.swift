import CSQLite

/// A thin owner of one sqlite3 connection: open, exec, prepare. Errors carry the file path.
/// Not thread-safe on its own: `Ledger` serialises every use behind its lock (the connection is
/// opened NOMUTEX so SQLite does not lock a second time).
final class SQLiteDatabase {
    let path: String
    private(set) var handle: OpaquePointer?

    init(path: String, flags: Int32) throws(LedgerError) {
        self.path = path
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw .sqlite(path, code: rc, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { close() }

    func close() {
        guard let handle else { return }
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    func error(_ code: Int32) -> LedgerError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        return .sqlite(path, code: code, message: message)
    }

    /// Runs one or more statements that return nothing worth reading.
    func exec(_ sql: String) throws(LedgerError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw .sqlite(path, code: rc, message: message)
        }
    }

    func prepare(_ sql: String) throws(LedgerError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc) }
        return SQLiteStatement(statement, database: self)
    }

    /// The single integer a query such as `PRAGMA user_version` returns.
    func integer(_ sql: String) throws(LedgerError) -> Int64 {
        let statement = try prepare(sql)
        defer { statement.finalize() }
        guard try statement.step() else { return 0 }
        return statement.int64(0)
    }

    func text(_ sql: String) throws(LedgerError) -> String? {
        let statement = try prepare(sql)
        defer { statement.finalize() }
        guard try statement.step() else { return nil }
        return statement.string(0)
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
}

/// One prepared statement, kept and reused (reset + rebind) for the life of the ledger.
/// Parameter indexes are 1-based and column indexes 0-based, as in SQLite.
final class SQLiteStatement {
    private var statement: OpaquePointer?
    private unowned let database: SQLiteDatabase

    init(_ statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { finalize() }

    func finalize() {
        sqlite3_finalize(statement)
        statement = nil
    }

    /// Clears the previous execution so the statement can run again with new bindings.
    func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(statement, index); return }
        // TRANSIENT: SQLite copies the bytes, so the Swift string need not outlive the call.
        sqlite3_bind_text(statement, index, value, -1, csqlite_transient())
    }

    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_int64(statement, index, value)
    }

    func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }

    func bind(_ index: Int32, _ value: Double?) {
        guard let value else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_double(statement, index, value)
    }

    /// Advances one row: true when a row is available, false when done.
    func step() throws(LedgerError) -> Bool {
        let rc = sqlite3_step(statement)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(rc)
            sqlite3_reset(statement)
            throw error
        }
    }

    /// Runs a statement that returns no rows, then resets it for the next use.
    func run() throws(LedgerError) {
        defer { reset() }
        _ = try step()
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: text)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    /// A RowStatus column read without building a String: the hot path of every lookup.
    func rowStatus(_ column: Int32) -> RowStatus? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        let bytes = UnsafeBufferPointer(start: text, count: count)
        for status in RowStatus.allCases where status.rawValue.utf8.elementsEqual(bytes) { return status }
        return nil
    }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
}
