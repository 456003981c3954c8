/// The records of the enablers' journals (``LedgerJournal``'s lines), read as bytes: every
/// record once, with where it was first seen, and the double charges among the copies.
///
/// A record is a session, a kind (CH-1 or CH-2) and a number (Accounting-Record-Number, CC-
/// Request-Number). One enabler de-duplicates what it charged (RFC 6733 §9.4), so the same
/// record twice in one journal was charged twice. Across enablers, a copy that came with the
/// T flag (potentially retransmitted, marked ` T`) is a retransmission after a failover,
/// which the billing domain de-duplicates by Session-Id and record number; two copies without
/// it are two charges.
struct JournalRecords {
    struct Charged: Equatable {
        var offlineMessages: UInt64 = 0
        var offlineBytes: UInt64 = 0
        var onlineUnits: UInt64 = 0

        static func += (a: inout Charged, b: Charged) {
            a.offlineMessages &+= b.offlineMessages
            a.offlineBytes &+= b.offlineBytes
            a.onlineUnits &+= b.onlineUnits
        }
    }

    /// A record seen: its values, where first (journal, line), where first without the T flag,
    /// and which journals hold it (a bit each, past 64 journals the last bit).
    struct Seen {
        var a: UInt64
        var b: UInt64
        var firstJournal: Int32
        var firstLine: Int32
        var unmarkedJournal: Int32 = -1
        var unmarkedLine: Int32 = 0
        var journals: UInt64
    }

    private(set) var sessionNames: [String] = []
    private var sessionIndex: [String: Int32] = [:]
    private(set) var charged: [Charged] = []
    private var records: [UInt64: Int32] = [:]
    private var seen: [Seen] = []
    private var paths: [String] = []
    /// Copies seen after the first, and those of them that were double charges.
    private(set) var repeated = 0
    private(set) var doubleCharges = 0
    /// Conflicting values and double charges, as the report prints them.
    private(set) var problems: [String] = []

    var count: Int { seen.count }

    func place(_ journal: Int32, _ line: Int32) -> String { "\(paths[Int(journal)]):\(line)" }

    /// Adds one journal's lines.
    mutating func add(path: String, text: String) throws(ReconciliationError) {
        let journal = Int32(paths.count)
        paths.append(path)
        var text = text
        let failure: ReconciliationError? = text.withUTF8 { bytes in
            var line: Int32 = 0
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                line += 1
                if end > start {
                    if !add(UnsafeBufferPointer(rebasing: bytes[start..<end]), journal: journal, line: line) {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                        return ReconciliationError("\(path):\(line): not a journal line: '\(text)'")
                    }
                }
                start = end + 1
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// `O session number messages bytes[ T]`, `A …` (the same with session totals) or
    /// `C session number units[ T]`; false when the line is none of them.
    private mutating func add(_ l: UnsafeBufferPointer<UInt8>, journal: Int32, line: Int32) -> Bool {
        var fields: [Range<Int>] = []
        fields.reserveCapacity(6)
        var i = 0
        while i <= l.count {
            var j = i
            while j < l.count && l[j] != UInt8(ascii: " ") { j += 1 }
            guard j > i, fields.count < 6 else { return false }
            fields.append(i..<j)
            i = j + 1
        }
        guard let kind = fields.first.map({ l[$0] }), kind.count == 1 else { return false }
        let totals = kind.first == UInt8(ascii: "A")
        let offline = totals || kind.first == UInt8(ascii: "O")
        guard offline || kind.first == UInt8(ascii: "C") else { return false }
        let count = offline ? 5 : 4
        let marked = fields.count == count + 1 && l[fields[count]].elementsEqual([UInt8(ascii: "T")])
        guard fields.count == count || marked else { return false }
        func number(_ r: Range<Int>) -> UInt64? {
            var v: UInt64 = 0
            for c in l[r] {
                guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
                guard !o1 && !o2 else { return nil }
                v = s
            }
            return v
        }
        guard let n = number(fields[2]), n <= UInt64(UInt32.max), let a = number(fields[3]) else { return false }
        let b: UInt64
        if offline {
            guard let v = number(fields[4]) else { return false }
            b = v
        } else {
            b = 0
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: l[fields[1]]), as: UTF8.self)
        let session: Int32
        if let s = sessionIndex[name] {
            session = s
        } else {
            session = Int32(sessionNames.count)
            sessionIndex[name] = session
            sessionNames.append(name)
            charged.append(Charged())
        }
        let key = UInt64(session) << 33 | n << 1 | (offline ? 1 : 0)
        let bit: UInt64 = 1 << UInt64(min(journal, 63))
        if let k = records[key] {
            repeated += 1
            var s = seen[Int(k)]
            let what = "\(offline ? "CH-1 record" : "CH-2 request") \(n) of session \(name)"
            if s.a != a || s.b != b {
                problems.append(
                    "\(place(journal, line)): \(what) differs from \(place(s.firstJournal, s.firstLine))"
                )
            }
            if s.journals & bit != 0 {
                doubleCharges += 1
                problems.append(
                    "double charge: \(what) charged twice by one enabler (\(place(s.firstJournal, s.firstLine)) and \(place(journal, line)))"
                )
            } else if !marked && s.unmarkedJournal >= 0 {
                doubleCharges += 1
                problems.append(
                    "double charge: \(what) charged by two enablers, neither copy a retransmission (T flag): \(place(s.unmarkedJournal, s.unmarkedLine)) and \(place(journal, line))"
                )
            }
            s.journals |= bit
            if !marked && s.unmarkedJournal < 0 {
                s.unmarkedJournal = journal
                s.unmarkedLine = line
            }
            seen[Int(k)] = s
            return true
        }
        records[key] = Int32(seen.count)
        seen.append(
            Seen(
                a: a,
                b: b,
                firstJournal: journal,
                firstLine: line,
                unmarkedJournal: marked ? -1 : journal,
                unmarkedLine: marked ? 0 : line,
                journals: bit
            )
        )
        if totals {
            // A session total: the session's charge is the largest, wherever it was seen.
            charged[Int(session)].offlineMessages = max(charged[Int(session)].offlineMessages, a)
            charged[Int(session)].offlineBytes = max(charged[Int(session)].offlineBytes, b)
        } else if offline {
            charged[Int(session)].offlineMessages &+= a
            charged[Int(session)].offlineBytes &+= b
        } else {
            charged[Int(session)].onlineUnits &+= a
        }
        return true
    }
}
