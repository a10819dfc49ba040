/// EXPORT (docs/REPORTS.md §11): the reports of one kind created in a span
/// that a reader may read, for their own tools. The disclosure decision is
/// taken per row and each row given is a `read` in the audit trail; reports
/// with personal data, and H2 and H3 reports, are never exported (counted).
extension ReportStore {
    public struct ExportPage: Sendable {
        public struct Row: Sendable {
            public let document: [UInt8]
            public let event: Event?
        }
        public var rows: [Row] = []
        public var skippedPersonal = 0
        public var skippedRestricted = 0
        /// Where the next page starts (nil: the scan reached the end).
        public var next: Int64?
    }

    /// Rows scanned per page at most: a page's work is bounded whatever the store holds.
    static let exportScan = 5_000

    /// One page of the export: reports of `kind` created from `from` to `to`
    /// (milliseconds, `to` exclusive), scanned in arrival order from `after`
    /// (a seq; nil: from the first that can hold such a report), at most
    /// `maximumBytes` of documents.
    public func exportPage(
        kind: ReportKind, from: Int64, to: Int64, after: Int64?, maximumBytes: Int, reader: PeerIdentity, disclosure: Disclosure
    ) throws(SQLiteError) -> ExportPage {
        var start = after ?? 0
        if after == nil {
            // A report reaches a node no earlier than it was written, less the clock skew allowed.
            let first = try database.cached("SELECT min(seq) FROM reports WHERE received_ms >= ?")
            first.bind(1, from - 600_000)
            if try first.step(), !first.isNull(0) { start = first.int(0) - 1 } else { start = Int64.max - 1 }
            first.reset()
        }
        let statement = try database.cached(
            """
            SELECT r.seq, r.id, r.created_ms, r.document, r.event_id, \(ReportStore.disclosureColumns) FROM reports r
            WHERE r.seq > ? ORDER BY r.seq LIMIT ?
            """)
        statement.bind(1, start)
        statement.bind(2, Int64(ReportStore.exportScan))
        var page = ExportPage()
        var eventIDs: [String?] = []
        var scanned = 0, bytes = 0
        var last = start
        var full = false
        while try statement.step() {
            scanned += 1
            last = statement.int(0)
            let created = statement.int(2)
            let facts = ReportStore.disclosureFacts(statement, at: 5)
            guard facts.kind == kind, created >= from, created < to, disclosure.decide(facts, for: reader).allowed else { continue }
            if facts.personalData != nil {
                page.skippedPersonal += 1
                continue
            }
            if facts.handling?.namedAddresseesOnly == true {
                page.skippedRestricted += 1
                continue
            }
            let document = statement.blob(3)
            if bytes + document.count > maximumBytes, !page.rows.isEmpty {
                // This row starts the next page.
                last -= 1
                full = true
                break
            }
            bytes += document.count + 256
            let event = statement.isNull(4) ? nil : statement.text(4)
            page.rows.append(ExportPage.Row(document: document, event: nil))
            eventIDs.append(event)
            try audit(.read, report: statement.text(1), actor: reader.id, detail: "export", now: disclosure.now)
        }
        statement.reset()
        // The events' states, read after the scan (one statement at a time).
        var rows: [ExportPage.Row] = []
        for (row, event) in zip(page.rows, eventIDs) { rows.append(ExportPage.Row(document: row.document, event: try event.flatMap { id throws(SQLiteError) in try self.event(id) })) }
        page.rows = rows
        page.next = full || scanned == ReportStore.exportScan ? last : nil
        return page
    }
}
