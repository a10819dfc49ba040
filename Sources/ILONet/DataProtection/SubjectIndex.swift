import Foundation

/// The subject-access index (GDPR Art. 15, Directive (EU) 2016/680 Art. 14;
/// docs/ACCESS.md §9): which reports with personal data name a person, found
/// without reading any report. For each person in such a report (every object
/// of the `person` schema in its body) the node keeps keyed hashes of the
/// normalised identifiers — the document number; the name with the date of
/// birth — and never the identifiers themselves. The key is the node's own
/// (random, in the store), so the hashes cannot be compared across nodes or
/// computed by someone without the store. The entries go with the report.
enum SubjectIndex {
    /// A document number as compared: upper case, letters and digits only.
    static func normalisedDocument(_ number: String) -> String {
        String(number.uppercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// A name as compared: without diacritics, upper case, one space between words.
    static func normalisedName(_ name: String) -> String {
        name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }

    /// The identifiers a lookup or a person gives, as strings to hash.
    static func identifiers(documentNumber: String?, name: String?, dateOfBirth: String?) -> [String] {
        var out: [String] = []
        if let documentNumber, !normalisedDocument(documentNumber).isEmpty { out.append("document:" + normalisedDocument(documentNumber)) }
        if let name, let dateOfBirth, !normalisedName(name).isEmpty { out.append("name-dob:" + normalisedName(name) + "|" + dateOfBirth) }
        return out
    }

    /// Every identifier of the persons in `body` (objects with a name or a document number).
    static func identifiers(in body: JSONValue) -> [String] {
        var out: [String] = []
        func walk(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if members["name"] != nil || members["document_number"] != nil {
                    out += identifiers(
                        documentNumber: members["document_number"]?.stringValue, name: members["name"]?.stringValue,
                        dateOfBirth: members["date_of_birth"]?.stringValue)
                }
                for member in members.values { walk(member) }
            case .array(let items): for item in items { walk(item) }
            default: break
            }
        }
        walk(body)
        return Array(Set(out)).sorted()
    }

    /// HMAC-SHA-256 (RFC 2104) of `text` under `key`.
    static func hmac(_ key: [UInt8], _ text: String) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = sha256(block.map { $0 ^ 0x36 } + Array(text.utf8))
        return sha256(block.map { $0 ^ 0x5c } + inner)
    }
}

extension ReportStore {
    /// The node's key for the index, made on first use.
    func subjectKey() throws(SQLiteError) -> [UInt8] {
        if let key = subjectKeyCache { return key }
        let select = try database.cached("SELECT value FROM node_secrets WHERE name = 'subject-index'")
        if try select.step() {
            let key = select.blob(0)
            select.reset()
            subjectKeyCache = key
            return key
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let insert = try database.cached("INSERT INTO node_secrets (name, value) VALUES ('subject-index', ?)")
        insert.bind(1, key)
        try insert.run()
        subjectKeyCache = key
        return key
    }

    /// Indexes the persons of a report with personal data (in its insert's transaction).
    func indexSubjects(of report: Report, seq: Int64) throws(SQLiteError) {
        let identifiers = SubjectIndex.identifiers(in: report.body)
        guard !identifiers.isEmpty else { return }
        let key = try subjectKey()
        let insert = try database.cached("INSERT OR IGNORE INTO subject_index (key, report_seq) VALUES (?, ?)")
        for identifier in identifiers {
            insert.bind(1, SubjectIndex.hmac(key, identifier))
            insert.bind(2, seq)
            try insert.run()
        }
    }

    /// A report with personal data that names the person looked up.
    public struct SubjectMatch: Sendable {
        public let reportID: String
        public let category: String
        public let eraseAtMilliseconds: Int64?
        /// The nodes this node knows held it: those it came through, this one, and those it was sent to.
        public let holders: [String]
    }

    /// The reports held here that name the person with these identifiers
    /// (`SubjectIndex.identifiers(documentNumber:name:dateOfBirth:)`); at most 200. Audited.
    public func findSubject(_ identifiers: [String], by officer: String, reason: String, lookedUpBy: String, now: Int64) throws(SQLiteError) -> [SubjectMatch] {
        let key = try subjectKey()
        let select = try database.cached(
            """
            SELECT DISTINCT r.id, COALESCE(r.purpose, ''), r.erase_at_ms, r.path FROM subject_index s JOIN reports r ON r.seq = s.report_seq
            WHERE s.key = ? ORDER BY r.seq LIMIT 200
            """)
        var found: [String: (String, Int64?, [String])] = [:]
        var order: [String] = []
        for identifier in identifiers {
            select.bind(1, SubjectIndex.hmac(key, identifier))
            while try select.step() {
                let id = select.text(0)
                guard found[id] == nil else { continue }
                let path = (try? JSONValue(parsing: select.text(3)))?.arrayValue?.compactMap(\.stringValue) ?? []
                found[id] = (select.text(1), select.isNull(2) ? nil : select.int(2), path)
                order.append(id)
            }
            select.reset()
        }
        var matches: [SubjectMatch] = []
        let forwarded = try database.cached("SELECT DISTINCT counterpart FROM audit WHERE report_id = ? AND event = 'forward' ORDER BY seq")
        for id in order {
            guard let (category, eraseAt, path) = found[id] else { continue }
            var holders = path
            forwarded.bind(1, id)
            while try forwarded.step() {
                let hop = forwarded.text(0)
                if !holders.contains(hop) { holders.append(hop) }
            }
            forwarded.reset()
            matches.append(SubjectMatch(reportID: id, category: category, eraseAtMilliseconds: eraseAt, holders: holders))
        }
        try audit(.subjectLookup, report: nil, actor: officer, detail: "reason: \(reason); by \(lookedUpBy); matches: \(matches.count)", now: now)
        return matches
    }
}
