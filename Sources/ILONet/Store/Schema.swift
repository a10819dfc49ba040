/// The store's schema, as an ordered list of migrations. `PRAGMA user_version`
/// holds how many have been applied; each runs in its own transaction. Never edit
/// a migration that has shipped: add the next one. Documented in docs/ARCHITECTURE.md.
enum Schema {
    static let migrations: [String] = [
        // 1: reports and per-identity inbox cursors.
        """
        CREATE TABLE reports (
            seq              INTEGER PRIMARY KEY AUTOINCREMENT, -- arrival order, never reused
            id               TEXT    NOT NULL UNIQUE, -- UUIDv7, lower case
            kind             TEXT    NOT NULL,
            country          TEXT    NOT NULL,      -- ISO 3166-1 alpha-2
            priority         INTEGER NOT NULL,      -- 0 flash .. 3 routine
            origin_officer   TEXT    NOT NULL,
            origin_authority TEXT    NOT NULL,
            origin_state     TEXT    NOT NULL,
            created_ms       INTEGER NOT NULL,
            received_ms      INTEGER NOT NULL,
            document         BLOB    NOT NULL       -- canonical JSON of the whole report
        );
        CREATE INDEX reports_country ON reports (country, seq);
        CREATE INDEX reports_origin_state ON reports (origin_state, seq);
        CREATE TABLE inbox_cursors (
            identity    TEXT    PRIMARY KEY,        -- certificate CN of the reader
            through_seq INTEGER NOT NULL            -- highest seq the reader confirmed
        );
        """,
        // 2: the full envelope (issue 3): columns the node filters and links on.
        """
        ALTER TABLE reports ADD COLUMN headline TEXT NOT NULL DEFAULT '';
        ALTER TABLE reports ADD COLUMN handling TEXT NOT NULL DEFAULT 'H1';
        ALTER TABLE reports ADD COLUMN data_class TEXT NOT NULL DEFAULT 'strategic';
        ALTER TABLE reports ADD COLUMN topic TEXT NOT NULL DEFAULT '';
        ALTER TABLE reports ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reports ADD COLUMN follow_up_of TEXT;           -- id of the first report of the event
        CREATE INDEX reports_follow_up ON reports (follow_up_of) WHERE follow_up_of IS NOT NULL;
        """,
        // 3: store-and-forward (issue 4): the path a report took, the queues of
        // reports waiting for each next hop, dead letters and the queue audit.
        """
        ALTER TABLE reports ADD COLUMN path TEXT NOT NULL DEFAULT '[]'; -- JSON array of node names, origin first, this node last
        ALTER TABLE reports ADD COLUMN recipient TEXT;                  -- for notices: the officer it is for
        CREATE INDEX reports_recipient ON reports (recipient, seq) WHERE recipient IS NOT NULL;
        CREATE TABLE outbound (
            report_seq      INTEGER NOT NULL REFERENCES reports (seq),
            next_hop        TEXT    NOT NULL,             -- peer node name
            priority        INTEGER NOT NULL,             -- copied from reports: 0 flash .. 3 routine
            expires_ms      INTEGER NOT NULL,             -- copied from reports
            state           TEXT    NOT NULL DEFAULT 'ready', -- ready | held
            attempts        INTEGER NOT NULL DEFAULT 0,
            queued_ms       INTEGER NOT NULL,
            next_attempt_ms INTEGER NOT NULL,
            last_error      TEXT,
            PRIMARY KEY (next_hop, report_seq)
        );
        CREATE INDEX outbound_order ON outbound (next_hop, state, priority, report_seq);
        CREATE INDEX outbound_expiry ON outbound (expires_ms);
        CREATE TABLE dead_letters (
            report_seq INTEGER NOT NULL REFERENCES reports (seq),
            next_hop   TEXT    NOT NULL,
            reason     TEXT    NOT NULL,                  -- expired | refused: MESSAGE
            queued_ms  INTEGER NOT NULL,
            dead_ms    INTEGER NOT NULL,
            PRIMARY KEY (next_hop, report_seq)
        );
        CREATE TABLE queue_audit (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            at_ms      INTEGER NOT NULL,
            actor      TEXT    NOT NULL,                  -- certificate CN of the administrator
            action     TEXT    NOT NULL,                  -- flush | retry | hold | release | delete
            report_id  TEXT,
            next_hop   TEXT,
            detail     TEXT
        );
        """,
        // 4: subscriptions and deliveries (issue 5). Inboxes are now the
        // deliveries to each identity; the cursors of version 1 go.
        """
        DROP TABLE inbox_cursors;
        CREATE TABLE subscribers (                        -- identities that connected here, from their certificates
            identity      TEXT PRIMARY KEY,
            role          TEXT NOT NULL,
            authority     TEXT NOT NULL,
            state         TEXT NOT NULL,
            posts         TEXT NOT NULL DEFAULT '[]',     -- JSON list of country codes
            first_seen_ms INTEGER NOT NULL,
            last_seen_ms  INTEGER NOT NULL
        );
        CREATE TABLE subscriptions (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            identity           TEXT    NOT NULL,
            filter             TEXT    NOT NULL,          -- MQTT-style topic filter
            mode               TEXT    NOT NULL DEFAULT 'each', -- each | digest
            period             TEXT,                      -- digest: hourly | daily | weekly
            at_minute          INTEGER,                   -- digest: minute of the day (UTC) its period ends
            implicit           INTEGER NOT NULL DEFAULT 0,-- 1: from the certificate (an officer's posts)
            created_ms         INTEGER NOT NULL,
            last_digest_end_ms INTEGER,                   -- digest: end of the last period delivered
            UNIQUE (identity, filter, mode)
        );
        CREATE TABLE deliveries (                         -- a report for one reader
            identity     TEXT    NOT NULL,
            report_seq   INTEGER NOT NULL REFERENCES reports (seq),
            priority     INTEGER NOT NULL,
            queued_ms    INTEGER NOT NULL,
            confirmed_ms INTEGER,                         -- NULL until the reader confirmed it
            PRIMARY KEY (identity, report_seq)
        );
        CREATE INDEX deliveries_pending ON deliveries (identity, priority, report_seq) WHERE confirmed_ms IS NULL;
        CREATE INDEX reports_received ON reports (received_ms);
        """,
        // 5: indexes that served the version-1 inbox scope; deliveries replaced it,
        // and every index is written on every insert.
        """
        DROP INDEX reports_country;
        DROP INDEX reports_origin_state;
        """,
        // 6: the audit trail (docs/RELIABILITY.md §6): who did what to which report,
        // when and with whom, never content; each record's hash covers the one before.
        """
        CREATE TABLE audit (
            seq          INTEGER PRIMARY KEY,
            at_ms        INTEGER NOT NULL,
            event        TEXT    NOT NULL,
            report_id    TEXT,
            actor        TEXT    NOT NULL,                -- who did it
            counterpart  TEXT,                            -- to or from whom
            detail       TEXT,
            hash         BLOB    NOT NULL                 -- SHA-256(previous hash ‖ this record)
        );
        CREATE INDEX audit_report ON audit (report_id) WHERE report_id IS NOT NULL;
        """,
        // 7: erasure (docs/RELIABILITY.md §7): when a case report's personal data
        // must go, and the ids of erased reports (so that a copy arriving later is
        // acknowledged, not stored again).
        """
        ALTER TABLE reports ADD COLUMN erase_at_ms INTEGER;
        CREATE INDEX reports_erase ON reports (erase_at_ms) WHERE erase_at_ms IS NOT NULL;
        CREATE TABLE erased (
            id        TEXT    PRIMARY KEY,
            erased_ms INTEGER NOT NULL,
            reason    TEXT    NOT NULL
        ) WITHOUT ROWID;
        """,
        // 8: reports whose signature failed at this node (docs/RELIABILITY.md §9),
        // kept as received for investigation; never delivered or forwarded.
        """
        CREATE TABLE quarantine (
            seq          INTEGER PRIMARY KEY,
            report_id    TEXT    NOT NULL,
            from_peer    TEXT    NOT NULL,
            reason       TEXT    NOT NULL,
            received_ms  INTEGER NOT NULL,
            document     BLOB    NOT NULL
        );
        """,
        // 9: the envelope fields the disclosure decision reads (docs/ACCESS.md §1),
        // copied out of each stored document; the SHA-256 of each report's content
        // without its signature, kept after erasure, so that an id reused for
        // different content is refused (`id-conflict`), never acknowledged.
        """
        ALTER TABLE reports ADD COLUMN content_hash BLOB;
        ALTER TABLE erased ADD COLUMN content_hash BLOB;
        ALTER TABLE quarantine ADD COLUMN erase_at_ms INTEGER;  -- a quarantined case report's erase-by date
        UPDATE quarantine SET erase_at_ms = CAST(strftime('%s', json_extract(CAST(document AS TEXT), '$.erase_by')) AS INTEGER) * 1000
            WHERE json_valid(CAST(document AS TEXT));
        ALTER TABLE reports ADD COLUMN addressees TEXT NOT NULL DEFAULT '[]';  -- JSON array
        ALTER TABLE reports ADD COLUMN purpose TEXT;                            -- case data only
        UPDATE reports SET addressees = COALESCE(json_extract(CAST(document AS TEXT), '$.addressees'), '[]'),
                           purpose = json_extract(CAST(document AS TEXT), '$.purpose');
        """,
        // 10: report format 2 (docs/REPORTS.md §7): who the author of an H2 report
        // consented it may also go to (`consent` reports, §5.6), and the data class
        // column now says whether the report carries personal data at all.
        """
        ALTER TABLE reports ADD COLUMN consented TEXT NOT NULL DEFAULT '[]';  -- JSON array of identities or authority:CODE
        UPDATE reports SET data_class = CASE data_class WHEN 'case' THEN 'personal' ELSE 'none' END;
        """,
        // 11: an author's own reports, newest first (SENT, `ilo sent`).
        """
        CREATE INDEX reports_origin ON reports (origin_officer, seq);
        """,
        // 12: the deployment register (docs/ACCESS.md §6): the latest entry per
        // identity, from the `deployment` reports this node holds.
        """
        CREATE TABLE register (
            identity    TEXT    PRIMARY KEY,
            entry_id    TEXT    NOT NULL,
            created_ms  INTEGER NOT NULL,
            authority   TEXT    NOT NULL,
            body        TEXT    NOT NULL              -- the entry's body, JSON
        ) WITHOUT ROWID;
        """,
        // 13: the statistics ledger (docs/REPORTS.md §9): content-free counts
        // of the reports that reached this node, kept when erasure and retention
        // remove the reports; the activity report (Art. 8) is computed from it.
        // Reports already held are counted once here; those erased before this
        // version are not.
        """
        CREATE TABLE statistics (
            day           TEXT    NOT NULL,   -- the report's creation date, UTC, YYYY-MM-DD
            kind          TEXT    NOT NULL,
            country       TEXT    NOT NULL,
            origin_state  TEXT    NOT NULL,
            authority     TEXT    NOT NULL,
            level         TEXT    NOT NULL,   -- '' when the report has none
            purpose       TEXT    NOT NULL,   -- the personal-data purpose; '' for none
            on_behalf_of  TEXT    NOT NULL,   -- the states, sorted, comma-separated; '' for none
            priority      TEXT    NOT NULL,
            handling      TEXT    NOT NULL,
            reports       INTEGER NOT NULL,
            PRIMARY KEY (day, kind, country, origin_state, authority, level, purpose, on_behalf_of, priority, handling)
        ) WITHOUT ROWID;
        INSERT INTO statistics
            SELECT date(r.created_ms / 1000, 'unixepoch'), r.kind, r.country, r.origin_state, r.origin_authority,
                   COALESCE(json_extract(CAST(r.document AS TEXT), '$.level'), ''), COALESCE(r.purpose, ''),
                   COALESCE((SELECT group_concat(value, ',') FROM (SELECT value FROM json_each(CAST(r.document AS TEXT), '$.on_behalf_of') ORDER BY value)), ''),
                   CASE r.priority WHEN 0 THEN 'flash' WHEN 1 THEN 'immediate' WHEN 2 THEN 'priority' ELSE 'routine' END,
                   r.handling, count(*)
            FROM reports r WHERE r.kind IN ('smuggling', 'return', 'border')
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
        """,
        // 14: full-text search (docs/REPORTS.md §10): the headline and every string
        // of the body of each smuggling, return and border report, in FTS5 tables
        // whose rowid is the report's seq. Reports with personal data have a table
        // of their own, kept small by erasure and rewritten (`optimize`) after
        // each erasure, so that an erased report's words leave the file at once.
        """
        CREATE VIRTUAL TABLE search_open USING fts5(headline, body, tokenize = 'unicode61 remove_diacritics 2');
        CREATE VIRTUAL TABLE search_case USING fts5(headline, body, tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO search_open (rowid, headline, body)
            SELECT r.seq, r.headline, (SELECT group_concat(t.value, ' ') FROM json_tree(CAST(r.document AS TEXT), '$.body') t WHERE t.type = 'text')
            FROM reports r WHERE r.kind IN ('smuggling', 'return', 'border') AND r.purpose IS NULL;
        INSERT INTO search_case (rowid, headline, body)
            SELECT r.seq, r.headline, (SELECT group_concat(t.value, ' ') FROM json_tree(CAST(r.document AS TEXT), '$.body') t WHERE t.type = 'text')
            FROM reports r WHERE r.kind IN ('smuggling', 'return', 'border') AND r.purpose IS NOT NULL;
        """,
        // 15: the smuggling route in the statistics ledger (trends by route,
        // docs/REPORTS.md §9.1): the table is rebuilt with `route` in its key.
        // Counts written before have no route (''): which of them were
        // smuggling reports on which route is not known once reports are erased.
        """
        CREATE TABLE statistics_15 (
            day           TEXT    NOT NULL,
            kind          TEXT    NOT NULL,
            country       TEXT    NOT NULL,
            origin_state  TEXT    NOT NULL,
            authority     TEXT    NOT NULL,
            level         TEXT    NOT NULL,
            purpose       TEXT    NOT NULL,
            on_behalf_of  TEXT    NOT NULL,
            priority      TEXT    NOT NULL,
            handling      TEXT    NOT NULL,
            route         TEXT    NOT NULL,   -- ORIGIN>TRANSIT…>DESTINATION for smuggling reports; '' otherwise
            reports       INTEGER NOT NULL,
            PRIMARY KEY (day, kind, country, origin_state, authority, level, purpose, on_behalf_of, priority, handling, route)
        ) WITHOUT ROWID;
        INSERT INTO statistics_15
            SELECT day, kind, country, origin_state, authority, level, purpose, on_behalf_of, priority, handling, '', reports FROM statistics;
        DROP TABLE statistics;
        ALTER TABLE statistics_15 RENAME TO statistics;
        """,
        // 16: the search index is kept by an indexer that follows the commits
        // (at most 0.2 s behind, and SEARCH catches it up first) instead of in
        // each report's transaction: it costs the acknowledgement path less
        // (docs/PERFORMANCE.md, "Search index: in the transaction or behind it").
        // Every report stored so far is indexed (migration 14 and since).
        """
        CREATE TABLE search_progress (indexed_seq INTEGER NOT NULL);  -- reports up to this seq are indexed
        INSERT INTO search_progress SELECT COALESCE(max(seq), 0) FROM reports;
        """,
        // 17: who each identity is (docs/ACCESS.md §6.2): the whole subject
        // (role, authority, state) a node first saw for it, from a certificate
        // (a connection, or the signer of a report) or, failing that, bound by
        // the first register entry written for it. Register entries are ordered
        // by the sequence their writer gives them, not by their claimed time.
        """
        CREATE TABLE identities (
            identity   TEXT    PRIMARY KEY,
            role       TEXT    NOT NULL,
            authority  TEXT    NOT NULL,
            state      TEXT    NOT NULL,
            source     TEXT    NOT NULL,              -- certificate | register
            since_ms   INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO identities SELECT identity, role, authority, state, 'certificate', first_seen_ms FROM subscribers;
        INSERT OR IGNORE INTO identities
            SELECT identity, COALESCE(json_extract(body, '$.role'), 'officer'), authority, COALESCE(json_extract(body, '$.state'), ''), 'register', created_ms
            FROM register;
        ALTER TABLE register ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
        UPDATE register SET sequence = COALESCE(json_extract(body, '$.sequence'), 0);
        """,
        // 18: one network for its people (docs/ROUTING.md §8, docs/ACCESS.md §3.1).
        // A mailbox, not a queue: each delivery keeps the reader's read/unread
        // flag (read_ms), apart from a machine consumer's confirmation
        // (confirmed_ms, ilo watch); what was confirmed before counts as read.
        // outbound.deliver_to: a report sent on to be put, unread, in the
        // mailbox of people whose home moved (docs/ROUTING.md §8).
        // `interest`: the announcement in force per node (INTEREST between
        // linked nodes, not a stored report) — its topic filters, the peer it
        // came from (the way towards that node), its address and the signed document.
        // `pending_consents`: consents that reached this node before the H2
        // report they are about, applied when it arrives. An index finds the
        // notices about a report (the check for a notice already held scanned
        // all of a recipient's notices: its cost grew with every receipt).
        """
        ALTER TABLE deliveries ADD COLUMN read_ms INTEGER;                 -- NULL: unread
        ALTER TABLE outbound ADD COLUMN deliver_to TEXT;                   -- JSON list: people whose unread report moves home with it
        UPDATE deliveries SET read_ms = confirmed_ms WHERE confirmed_ms IS NOT NULL;
        CREATE INDEX deliveries_unread ON deliveries (identity, priority, report_seq) WHERE read_ms IS NULL;
        CREATE TABLE interest (
            node        TEXT    PRIMARY KEY,
            sequence    INTEGER NOT NULL,
            entry_id    TEXT    NOT NULL,             -- the announcement's report id
            via         TEXT    NOT NULL,             -- the peer it arrived from; '' for this node's own
            address     TEXT,                         -- HOST:PORT people reach the node at
            filters     TEXT    NOT NULL,             -- JSON list of topic filters
            expires_ms  INTEGER NOT NULL,
            document    BLOB    NOT NULL              -- the signed announcement, passed on to peers as it came
        ) WITHOUT ROWID;
        -- One notice per report, event and node (issue 27) is checked for every
        -- notice taken: by the report it is about, not by scanning the recipient's notices.
        CREATE INDEX reports_notice_about ON reports (json_extract(CAST(document AS TEXT), '$.body.about')) WHERE kind = 'notice';
        CREATE TABLE pending_consents (
            about       TEXT    NOT NULL,             -- the H2 report's id
            consent_id  TEXT    NOT NULL,
            PRIMARY KEY (about, consent_id)
        ) WITHOUT ROWID;
        """,
        // 19: a report's life after it is sent (docs/REPORTS.md §5.9). A
        // restricted report is held but disclosed to nobody and not forwarded
        // (restricted_ms: since when). The orders about a report, and the
        // corrections of it (corrects), are found by the report they name;
        // `erased.origin_authority` says whose orders a tombstone answers;
        // withdrawn reports are counted apart in the statistics ledger.
        """
        ALTER TABLE reports ADD COLUMN restricted_ms INTEGER;
        ALTER TABLE reports ADD COLUMN corrects TEXT;                  -- the report this one corrects (its id)
        CREATE INDEX reports_corrects ON reports (corrects) WHERE corrects IS NOT NULL;
        CREATE INDEX reports_order_about ON reports (json_extract(CAST(document AS TEXT), '$.body.about')) WHERE kind = 'erasure';
        ALTER TABLE erased ADD COLUMN origin_authority TEXT;
        -- The subject-access index (docs/ACCESS.md §9): keyed hashes (HMAC-SHA-256,
        -- a key of this node's) of the normalised identifiers in reports with
        -- personal data, deleted with the report. Reports stored before are not in it.
        CREATE TABLE subject_index (
            key         BLOB    NOT NULL,
            report_seq  INTEGER NOT NULL REFERENCES reports (seq),
            PRIMARY KEY (key, report_seq)
        ) WITHOUT ROWID;
        CREATE INDEX subject_index_report ON subject_index (report_seq);
        CREATE TABLE node_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE statistics_withdrawn (           -- the ledger's counts that were withdrawn by their originator
            day           TEXT    NOT NULL,           -- the report's creation date, UTC
            kind          TEXT    NOT NULL,
            country       TEXT    NOT NULL,
            reports       INTEGER NOT NULL,
            PRIMARY KEY (day, kind, country)
        ) WITHOUT ROWID;
        """,
        // 20: attachments (docs/REPORTS.md §1.1). A file arrives in chunks before
        // its report (an upload by the sender: the officer, or the peer node that
        // forwards it) and is kept by the report's id; the report's erasure
        // deletes its files. A file whose report never came is deleted after a
        // week. `checked`: the last chunk is in, the size and hash are the
        // declared ones and the content passed the checks (`problem`: why not).
        """
        CREATE TABLE attachment_files (
            report_id   TEXT    NOT NULL,
            number      INTEGER NOT NULL,             -- 1.. in the report's attachments list
            sender      TEXT    NOT NULL,             -- the identity that uploaded it here
            sha256      TEXT    NOT NULL,
            media_type  TEXT    NOT NULL,
            bytes       INTEGER NOT NULL,
            received    INTEGER NOT NULL DEFAULT 0,   -- bytes held, from the start
            checked     INTEGER NOT NULL DEFAULT 0,
            problem     TEXT,
            started_ms  INTEGER NOT NULL,
            PRIMARY KEY (report_id, number)
        ) WITHOUT ROWID;
        CREATE INDEX attachment_files_started ON attachment_files (started_ms);
        CREATE TABLE attachment_chunks (
            report_id   TEXT    NOT NULL,
            number      INTEGER NOT NULL,
            offset      INTEGER NOT NULL,
            data        BLOB    NOT NULL
        );
        CREATE UNIQUE INDEX attachment_chunks_at ON attachment_chunks (report_id, number, offset);
        """,
        // 21: the statistics ledger counts the files reports carried too (never shows them).
        """
        ALTER TABLE statistics ADD COLUMN attachments INTEGER NOT NULL DEFAULT 0;
        """,
        // 22: events (docs/REPORTS.md §5.10, 2021/581 Art. 9 and 17). Each
        // smuggling, return or border report belongs to an event (event_id:
        // its own id, or the event of the report it follows up); `events` holds
        // each event's state at this node, set by its first report and by the
        // `event` reports of its owner; `statistics_events` counts events
        // opened, closed and reopened and late first reports (content-free,
        // kept after erasure). Reports stored before are events of their own.
        """
        ALTER TABLE reports ADD COLUMN event_id TEXT;
        CREATE INDEX reports_event ON reports (event_id, created_ms) WHERE event_id IS NOT NULL;
        UPDATE reports SET event_id = COALESCE(follow_up_of, id) WHERE kind IN ('smuggling', 'return', 'border');
        CREATE TABLE events (
            id              TEXT    PRIMARY KEY,      -- the first report's id
            kind            TEXT    NOT NULL,
            country         TEXT    NOT NULL,
            owner           TEXT    NOT NULL,         -- the deploying authority that owns it
            first_author    TEXT    NOT NULL,
            first_state     TEXT    NOT NULL,
            time_ms         INTEGER,                  -- when it happened (the first report's body.time), if stated
            created_ms      INTEGER NOT NULL,         -- the first report's created
            impact          TEXT,                     -- the first report's own impact
            assessed_impact TEXT,                     -- the owner's latest assessment
            validation      TEXT,
            status          TEXT    NOT NULL DEFAULT 'open',
            close_reason    TEXT,
            note            TEXT,                     -- the latest action's note
            updated_ms      INTEGER NOT NULL          -- created of the latest action applied
        ) WITHOUT ROWID;
        CREATE INDEX events_created ON events (created_ms);
        INSERT OR IGNORE INTO events (id, kind, country, owner, first_author, first_state, time_ms, created_ms, impact, updated_ms)
            SELECT id, kind, country, origin_authority, origin_officer, origin_state,
                   CAST(strftime('%s', json_extract(CAST(document AS TEXT), '$.body.time')) AS INTEGER) * 1000, created_ms,
                   json_extract(CAST(document AS TEXT), '$.body.impact'), created_ms
            FROM reports WHERE kind IN ('smuggling', 'return', 'border') AND follow_up_of IS NULL;
        CREATE TABLE statistics_events (
            day           TEXT    NOT NULL,           -- UTC day: the first report's creation (opened, late), or the action's
            kind          TEXT    NOT NULL,
            country       TEXT    NOT NULL,
            impact        TEXT    NOT NULL,           -- the event's impact then; '' when none
            opened        INTEGER NOT NULL DEFAULT 0,
            closed        INTEGER NOT NULL DEFAULT 0,
            reopened      INTEGER NOT NULL DEFAULT 0,
            late_first    INTEGER NOT NULL DEFAULT 0, -- first reports created more than 24 h after the event's time
            PRIMARY KEY (day, kind, country, impact)
        ) WITHOUT ROWID;
        """,
        // 23: an event's owner shares it (docs/REPORTS.md §5.10): the readers
        // it is shared with (identity ids or authority:NAME) are added to the
        // `consented` list of the event's H0 and H1 reports without personal
        // data, and of those that join the event later.
        """
        CREATE TABLE event_shares (
            event_id    TEXT    NOT NULL,
            reader      TEXT    NOT NULL,             -- an identity id or authority:NAME
            PRIMARY KEY (event_id, reader)
        ) WITHOUT ROWID;
        """,
    ]
}