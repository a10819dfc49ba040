/// Full-text search over the reports a reader may read (docs/REPORTS.md §10):
/// SQLite FTS5 over each report's headline and every string of its body, ranked
/// by bm25, filtered by envelope fields, and every hit checked by the single
/// disclosure decision before anything of it is shown.
public struct SearchQuery: Sendable, Equatable {
    /// The words, each matched as a whole token (a trailing `*` matches a prefix).
    public var words: [String]
    public var kind: String?
    public var country: String?
    public var priority: String?
    public var handling: String?
    /// The author's member state.
    public var state: String?
    /// Created on or after this day (YYYY-MM-DD), and on or before `until`.
    public var since: String?
    public var until: String?
    public var offset: Int = 0
    public var limit: Int = 20

    public static let maximumWords = 16
    public static let maximumLimit = 50
    /// Readable matches ranked per request: when more reports the reader may
    /// read match, the most recent this many are ranked (`ilo_rank`, after the
    /// disclosure decision) and the answer says so (`truncated`). This bounds
    /// the work of a query for a word in every report.
    public static let maximumCandidates = 2000

    public init(words: [String]) { self.words = words }

    /// The words of `text`: letters, digits, `-` and `'` inside words; a `*` at the end of one.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if character == "*", !current.isEmpty {
                current.append("*")
                words.append(current)
                current = ""
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The FTS5 MATCH expression: every word quoted (no FTS5 syntax from the
    /// user reaches SQLite), all of them required.
    var match: String {
        words.map { word in word.hasSuffix("*") ? "\"\(word.dropLast())\"*" : "\"\(word)\"" }.joined(separator: " ")
    }
}

/// One report found, as the reader may see it.
public struct SearchHit: Sendable, Equatable {
    public let id: String
    public let kind: String
    public let country: String
    public let priority: String
    public let handling: String
    public let state: String
    /// The author and their deploying authority (listings tell reports with the same headline apart by them).
    public var author = ""
    public var authority = ""
    public let createdMilliseconds: Int64
    public let headline: String
    /// Text around the matches; each match between U+0002 and U+0003.
    public let snippet: String

    public static let highlightStart = "\u{2}"
    public static let highlightEnd = "\u{3}"

    public var json: JSONValue {
        [
            "id": .string(id), "kind": .string(kind), "country": .string(country), "priority": .string(priority),
            "handling": .string(handling), "state": .string(state), "author": .string(author), "authority": .string(authority),
            "created": .string(Timestamp.format(milliseconds: createdMilliseconds)),
            "headline": .string(headline), "snippet": .string(snippet),
        ]
    }

    public init?(_ json: JSONValue) {
        guard let id = json["id"]?.stringValue, let headline = json["headline"]?.stringValue else { return nil }
        self.id = id
        kind = json["kind"]?.stringValue ?? ""
        country = json["country"]?.stringValue ?? ""
        priority = json["priority"]?.stringValue ?? ""
        handling = json["handling"]?.stringValue ?? ""
        state = json["state"]?.stringValue ?? ""
        author = json["author"]?.stringValue ?? ""
        authority = json["authority"]?.stringValue ?? ""
        createdMilliseconds = json["created"]?.stringValue.flatMap { Timestamp.parse($0) } ?? 0
        self.headline = headline
        snippet = json["snippet"]?.stringValue ?? ""
    }

    init(id: String, kind: String, country: String, priority: String, handling: String, state: String, createdMilliseconds: Int64, headline: String, snippet: String) {
        self.id = id
        self.kind = kind
        self.country = country
        self.priority = priority
        self.handling = handling
        self.state = state
        self.createdMilliseconds = createdMilliseconds
        self.headline = headline
        self.snippet = snippet
    }
}

public struct SearchPage: Sendable {
    public let hits: [SearchHit]
    /// More hits follow this page (ask with a larger offset), or more reports
    /// matched than one request ranks (narrow the query).
    public let more: Bool
    public let truncated: Bool
}

extension ReportStore {
    /// Indexes the smuggling, return and border reports stored since the last
    /// call, at most `limit` seqs on (SearchIndexer; SEARCH first; the search
    /// benchmark's store). The headline and every string of the body, from the
    /// stored document; reports with personal data into their own table. The
    /// watermark moves in the same transaction, so after a crash the indexer
    /// resumes where the last commit left it. Returns how many seqs it covered.
    public func indexPending(limit: Int64) throws(SQLiteError) -> Int64 {
        let progress = try database.cached("SELECT indexed_seq, (SELECT COALESCE(max(seq), 0) FROM reports) FROM search_progress")
        guard try progress.step() else { return 0 }
        let from = progress.int(0), newest = progress.int(1)
        progress.reset()
        let to = min(newest, from + limit)
        guard to > from else { return 0 }
        for (table, personal) in [("search_open", "IS NULL"), ("search_case", "IS NOT NULL")] {
            let insert = try database.cached(
                """
                INSERT INTO \(table) (rowid, headline, body)
                SELECT r.seq, r.headline, (SELECT group_concat(t.value, ' ') FROM json_tree(CAST(r.document AS TEXT), '$.body') t WHERE t.type = 'text')
                FROM reports r WHERE r.seq > ? AND r.seq <= ? AND r.kind IN ('smuggling', 'return', 'border') AND r.purpose \(personal)
                """)
            insert.bind(1, from)
            insert.bind(2, to)
            try insert.run()
        }
        let update = try database.cached("UPDATE search_progress SET indexed_seq = ?")
        update.bind(1, to)
        try update.run()
        return to - from
    }

    /// Removes report `seq` from the search index (erasure).
    func unindex(seq: Int64) throws(SQLiteError) {
        for table in ["search_open", "search_case"] {
            let statement = try database.cached("DELETE FROM \(table) WHERE rowid = ?")
            statement.bind(1, seq)
            try statement.run()
        }
    }

    /// Rewrites the index of reports with personal data into one segment: FTS5
    /// (SQLite 3.40) leaves a deleted report's words in older segments until
    /// they are merged; with `secure_delete` on, the rewrite zeroes them.
    func compactCaseIndex() throws(SQLiteError) {
        try database.execute("INSERT INTO search_case (search_case) VALUES ('optimize')")
    }

    /// Records in the audit trail that `reader` was shown these reports (as search
    /// results, which show their headlines and text); on the writer, before the answer goes.
    public func auditSearchResults(_ ids: [String], reader: String, now: Int64) throws(SQLiteError) {
        for id in ids { try audit(.read, report: id, actor: reader, detail: "search result", now: now) }
    }

    /// The page of reports matching `query` that `identity` may read now, best
    /// first. Reads only: it runs on a reader connection.
    ///
    /// The disclosure decision comes before everything else (docs/REPORTS.md
    /// §10): matches are walked newest first, each one the reader may not read
    /// is skipped, and only the reports it may read are ranked, counted and
    /// capped (`maximumCandidates`). Ranking uses nothing but each report's own
    /// text (`SearchRanking`, through `ilo_rank`), so a report withheld from the reader can neither
    /// move a result nor be counted in `truncated`. A cheap test in SQL
    /// (`readableGuess`) skips most withheld reports before Swift sees them;
    /// the work of a query over many withheld reports is bounded by the
    /// reader's time budget (limits.read-budget).
    public func search(_ query: SearchQuery, for identity: PeerIdentity, disclosure: Disclosure) throws(SQLiteError) -> SearchPage {
        var readable: [(score: Double, seq: Int64, table: String)] = []
        for table in ["search_open", "search_case"] {
            var conditions = ["\(table) MATCH ?"]
            var arguments: [JSONValue] = [.string(query.match)]
            if let kind = query.kind { conditions.append("r.kind = ?"); arguments.append(.string(kind)) }
            if let country = query.country { conditions.append("r.country = ?"); arguments.append(.string(country)) }
            if let priority = query.priority, let rank = Priority(rawValue: priority)?.rank {
                conditions.append("r.priority = ?")
                arguments.append(.integer(Int64(rank)))
            }
            if let handling = query.handling { conditions.append("r.handling = ?"); arguments.append(.string(handling)) }
            if let state = query.state { conditions.append("r.origin_state = ?"); arguments.append(.string(state)) }
            if let since = query.since.flatMap(ReportDate.parse) { conditions.append("r.created_ms >= ?"); arguments.append(.integer(since)) }
            if let until = query.until.flatMap(ReportDate.parse) { conditions.append("r.created_ms < ?"); arguments.append(.integer(until + 86_400_000)) }
            let (guess, guessArguments) = ReportStore.readableGuess(for: identity, now: disclosure.now)
            conditions.append(guess)
            arguments += guessArguments
            let statement = try database.cached(
                """
                SELECT r.seq, \(ReportStore.disclosureColumns), ilo_rank(\(table))
                FROM \(table) JOIN reports r ON r.seq = \(table).rowid
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(table).rowid DESC
                """)
            statement.bind(arguments)
            var found = 0
            while try statement.step() {
                guard disclosure.decide(ReportStore.disclosureFacts(statement, at: 1), for: identity).allowed else { continue }
                readable.append((statement.double(1 + ReportStore.disclosureColumnCount), statement.int(0), table))
                found += 1
                if found > SearchQuery.maximumCandidates { break }
            }
            statement.reset()
        }
        // The most recent readable matches, at most maximumCandidates of them, best first.
        readable.sort { $0.seq > $1.seq }
        let truncated = readable.count > SearchQuery.maximumCandidates
        let ranked = readable.prefix(SearchQuery.maximumCandidates).sorted { ($0.score, $0.seq) > ($1.score, $1.seq) }
        // Only the page's hits are read in full, with their snippets.
        var page: [SearchHit] = []
        for candidate in ranked.dropFirst(query.offset).prefix(query.limit) {
            let statement = try database.cached(
                """
                SELECT r.id, r.kind, r.country, r.priority, r.handling, r.origin_state, r.created_ms, r.headline,
                       snippet(\(candidate.table), -1, char(2), char(3), '…', 16), r.origin_officer, r.origin_authority
                FROM \(candidate.table) JOIN reports r ON r.seq = \(candidate.table).rowid
                WHERE \(candidate.table) MATCH ? AND \(candidate.table).rowid = ?
                """)
            statement.bind(1, query.match)
            statement.bind(2, candidate.seq)
            guard try statement.step() else { continue }
            let priority = Priority.allCases.first { $0.rank == Int(statement.int(3)) }?.rawValue ?? ""
            var hit = SearchHit(
                id: statement.text(0), kind: statement.text(1), country: statement.text(2), priority: priority,
                handling: statement.text(4), state: statement.text(5), createdMilliseconds: statement.int(6),
                headline: statement.text(7), snippet: statement.text(8))
            hit.author = statement.text(9)
            hit.authority = statement.text(10)
            page.append(hit)
            statement.reset()
        }
        return SearchPage(hits: page, more: ranked.count > query.offset + page.count, truncated: truncated)
    }

    /// An SQL condition true for every report `reader` may read now, and false
    /// for most it may not (the disclosure decision itself follows in Swift):
    /// its own reports; unexpired ones that are H0/H1 without personal data, or
    /// name the reader or its authority as addressee or consented recipient.
    static func readableGuess(for reader: PeerIdentity, now: Int64) -> (String, [JSONValue]) {
        let me = JSONValue.string(reader.id).encodedString()
        let authority = JSONValue.string("authority:\(reader.authority)").encodedString()
        return (
            """
            (r.origin_officer = ? OR (r.expires_ms > ? AND ((r.handling IN ('H0', 'H1') AND r.purpose IS NULL)
                OR instr(r.addressees, ?) > 0 OR instr(r.addressees, ?) > 0 OR instr(r.consented, ?) > 0 OR instr(r.consented, ?) > 0)))
            """,
            [.string(reader.id), .integer(now), .string(me), .string(authority), .string(me), .string(authority)]
        )
    }
}
