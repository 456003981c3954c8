import Charging
import ChargingPipeline

/// Every byte accepted is charged exactly once: after the run, the usage in the enabler's
/// ledger (what it was charged, duplicates dropped) must equal the usage the engine accepted,
/// compared both ways: each session the engine accepted against its ledger entry, each ledger
/// entry against a session the engine accepted (usage charged to a session nobody accepted is
/// a fault too), and the ledger's totals, summed over its own entries, against the engine's
/// per-chunk count. Every CH-1 record started is stopped, every CH-2 reservation granted is
/// terminated (RFC 4006 §5.2: CCR-T with the used units).
///
/// What the ledger is says what the check proves (``basis``): the embedded enabler's own books
/// (`enabler ledger`), the journals of the Diameter enablers that served the run (`enabler
/// journals`), or only what the Diameter client was answered 2001 for (`acknowledged`): the
/// client's record of itself, which an enabler that books the wrong usage still passes. That
/// one is reported as "Acknowledged", never as conservation; `reconcile` against the
/// enablers' journals (or bench's `--enabler-journal`) is the verdict then.
public struct ConservationCheck: Sendable, Codable, Equatable {
    /// False when charging was off (nothing to check).
    public var applicable: Bool
    public var ok: Bool
    public var sessionsChecked: Int
    public var sessionsMismatched: Int
    /// What was compared, or the first difference.
    public var detail: String
    /// What the ledger compared was (``Basis``); nil in reports written before it existed.
    public var basis: String? = nil

    public enum Basis: String, Sendable {
        case enablerLedger = "enabler ledger"
        case enablerJournals = "enabler journals"
        case acknowledged
    }

    /// The report's name for the check: "Conservation" only when it compared the enabler's
    /// own records.
    public var title: String { basis == Basis.acknowledged.rawValue ? "Acknowledged" : "Conservation" }

    public init(
        applicable: Bool,
        ok: Bool,
        sessionsChecked: Int,
        sessionsMismatched: Int,
        detail: String,
        basis: Basis? = nil
    ) {
        self.applicable = applicable
        self.ok = ok
        self.sessionsChecked = sessionsChecked
        self.sessionsMismatched = sessionsMismatched
        self.detail = detail
        self.basis = basis?.rawValue
    }

    public static func run(
        mode: ChargingMode,
        unit: ChargingUnit,
        sessions: [ClosedSession],
        stillOpen: Int,
        ledger: ChargingLedger,
        accepted: ChargingUsage,
        abandoned: UInt64,
        basis: Basis = .enablerLedger
    ) -> ConservationCheck {
        guard mode != .off else {
            return ConservationCheck(
                applicable: false,
                ok: true,
                sessionsChecked: 0,
                sessionsMismatched: 0,
                detail: "charging off: nothing to check",
                basis: basis
            )
        }
        func units(_ u: ChargingUsage) -> UInt64 { unit == .bytes ? u.bytes : u.messages &+ u.abortedMessages }
        var checked = 0
        var mismatched = 0
        var first: String? = nil
        var known = Set<SessionKey>(minimumCapacity: sessions.count)
        for closed in sessions {
            let key = closed.session
            known.insert(key)
            checked += 1
            let s = closed
            let e = ledger.entry(key) ?? LedgerEntry()
            var problems: [String] = []
            if mode.offline && e.offline != s.accepted {
                problems.append("CH-1 charged \(e.offline), accepted \(s.accepted)")
            }
            if mode.online {
                let used = units(s.accepted)
                if e.onlineUnits != used { problems.append("CH-2 units charged \(e.onlineUnits), used \(used)") }
            }
            if mode.offline && e.offlineStarted && !e.offlineStopped { problems.append("CH-1 record not stopped") }
            if mode.online && e.unitsGranted > 0 && !e.onlineTerminated {
                problems.append("CH-2 reservation of \(e.unitsGranted) units never terminated")
            }
            if !problems.isEmpty {
                mismatched += 1
                if first == nil { first = "session \(key): " + problems.joined(separator: "; ") }
            }
        }
        // The other way: what the ledger holds for sessions the engine never accepted.
        var strangers = 0
        var firstStranger: String? = nil
        ledger.entries.forEach { key, e in
            guard !known.contains(key) else { return }
            guard !e.offline.isZero || e.onlineUnits > 0 || e.offlineStarted || e.unitsGranted > 0 else { return }
            strangers += 1
            if firstStranger == nil {
                firstStranger =
                    "session \(key) was charged (CH-1 \(e.offline), CH-2 \(e.onlineUnits) units) but never accepted"
            }
        }
        // Totals, each summed on its own side: the ledger over its entries, the engine per chunk.
        let t = ledger.totals
        var totals: [String] = []
        if mode.offline && t.offline != accepted {
            totals.append("the ledger's CH-1 total (\(t.offline)) differs from the chunks accepted (\(accepted))")
        }
        if mode.online && t.onlineUnits != units(accepted) {
            totals.append(
                "the ledger's CH-2 units (\(t.onlineUnits)) differ from the \(unit.rawValue) accepted (\(units(accepted)))"
            )
        }
        var detail: String
        var ok = mismatched == 0 && strangers == 0 && totals.isEmpty
        let sessionTotal = sessions.reduce(ChargingUsage.zero) { $0 + $1.accepted }
        if stillOpen > 0 {
            ok = false
            detail = "\(stillOpen) sessions were never ended: their usage was never stopped"
        } else if sessionTotal != accepted {
            ok = false
            detail = "the sessions' accepted usage (\(sessionTotal)) differs from the chunks accepted (\(accepted))"
        } else if let first {
            detail = "\(mismatched) of \(checked) sessions differ; first: \(first)"
        } else if let firstStranger {
            detail = "\(strangers) sessions charged that the engine never accepted; first: \(firstStranger)"
        } else if !totals.isEmpty {
            detail = totals.joined(separator: "; ")
        } else {
            var parts: [String] = []
            if mode.offline { parts.append("CH-1 usage = accepted (\(accepted))") }
            if mode.online { parts.append("CH-2 used units = accepted \(unit.rawValue)") }
            detail =
                parts.joined(separator: ", ")
                + " in each of \(checked) sessions and in total, no usage for other sessions"
        }
        detail += " (\(basis == .acknowledged ? "what the Diameter peers acknowledged with 2001: the client's own record, not the enablers' books; reconcile against their journals for the verdict" : basis.rawValue))"
        if abandoned > 0 {
            detail += "; \(abandoned) requests were given up after every retransmission"
        }
        return ConservationCheck(
            applicable: true,
            ok: ok,
            sessionsChecked: checked,
            sessionsMismatched: mismatched,
            detail: detail,
            basis: basis
        )
    }
}
