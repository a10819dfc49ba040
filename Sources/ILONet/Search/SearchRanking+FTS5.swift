internal import CSQLite

/// `ilo_rank(TABLE)`: an FTS5 auxiliary function that gives a matched row its
/// `SearchRanking.score`, from FTS5's own instance list and column sizes — no
/// statistics over other rows, and no reading of the row's text.
extension SearchRanking {
    /// Registers `ilo_rank` on `database` (each connection that searches).
    static func install(on database: SQLiteDatabase) throws(SQLiteError) {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database.handle, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK, let statement else {
            throw SQLiteError(code: sqlite3_errcode(database.handle), message: String(cString: sqlite3_errmsg(database.handle)), context: "FTS5 API")
        }
        defer { sqlite3_finalize(statement) }
        var api: UnsafeMutablePointer<fts5_api>?
        let rc = withUnsafeMutablePointer(to: &api) { slot -> Int32 in
            sqlite3_bind_pointer(statement, 1, slot, "fts5_api_ptr", nil)
            return sqlite3_step(statement)
        }
        guard rc == SQLITE_ROW, let api, let create = api.pointee.xCreateFunction,
            create(api, "ilo_rank", nil, rankInstances, nil) == SQLITE_OK
        else {
            throw SQLiteError(code: rc, message: "cannot register the ranking function with FTS5", context: "FTS5 API")
        }
    }
}

/// The auxiliary function itself: counts each phrase's instances per column
/// (a query word is one phrase) and reads each column's size in tokens.
private let rankInstances: fts5_extension_function = { api, fts, context, _, _ in
    guard let x = api?.pointee, let fts, let phraseCount = x.xPhraseCount, let instCount = x.xInstCount, let inst = x.xInst,
        let columnSize = x.xColumnSize
    else { return }
    let phrases = Int(phraseCount(fts))
    var instances: Int32 = 0
    guard phrases > 0, instCount(fts, &instances) == SQLITE_OK else {
        sqlite3_result_double(context, 0)
        return
    }
    var counts = [[Int]](repeating: [0, 0], count: phrases)
    for index in 0..<instances {
        var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
        guard inst(fts, index, &phrase, &column, &offset) == SQLITE_OK, phrase >= 0, Int(phrase) < phrases, column >= 0, column < 2 else { continue }
        counts[Int(phrase)][Int(column)] += 1
    }
    var lengths = [0, 0]
    for column in 0..<2 {
        var tokens: Int32 = 0
        if columnSize(fts, Int32(column), &tokens) == SQLITE_OK { lengths[column] = Int(tokens) }
    }
    sqlite3_result_double(context, SearchRanking.score(counts: counts, lengths: lengths))
}
