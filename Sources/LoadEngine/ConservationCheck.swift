import Charging
import ChargingPipeline

/// Every byte accepted is charged exactly once: after the run, the usage in the enabler's
/// ledger (what it was charged, duplicates dropped) must equal the usage the engine accepted,
/// in total and for every session.
public struct ConservationCheck: Sendable, Codable, Equatable {
    /// False when charging was off (nothing to check).
    public var applicable: Bool
    public var ok: Bool
    public var sessionsChecked: Int
    public var sessionsMismatched: Int
    /// What was compared, or the first difference.
    public var detail: String

    public static func run(
        mode: ChargingMode,
        unit: ChargingUnit,
        sessions: [ClosedSession],
        stillOpen: Int,
        ledger: ChargingLedger,
        accepted: ChargingUsage,
        abandoned: UInt64
    ) -> ConservationCheck {
        guard mode != .off else {
            return ConservationCheck(
                applicable: false,
                ok: true,
                sessionsChecked: 0,
                sessionsMismatched: 0,
                detail: "charging off: nothing to check"
            )
        }
        var checked = 0
        var mismatched = 0
        var first: String? = nil
        var sessionTotal = ChargingUsage.zero
        for closed in sessions {
            let key = closed.session
            checked += 1
            sessionTotal += closed.accepted
            let s = closed
            let e = ledger.entry(key) ?? LedgerEntry()
            var problems: [String] = []
            if mode.offline && e.offline != s.accepted {
                problems.append("CH-1 charged \(e.offline), accepted \(s.accepted)")
            }
            if mode.online {
                let units = unit == .bytes ? s.accepted.bytes : s.accepted.messages &+ s.accepted.abortedMessages
                if e.onlineUnits != units { problems.append("CH-2 units charged \(e.onlineUnits), used \(units)") }
            }
            if mode.offline && e.offlineStarted && !e.offlineStopped { problems.append("CH-1 record not stopped") }
            if !problems.isEmpty {
                mismatched += 1
                if first == nil { first = "session \(key): " + problems.joined(separator: "; ") }
            }
        }
        var detail: String
        var ok = mismatched == 0
        if stillOpen > 0 {
            ok = false
            detail = "\(stillOpen) sessions were never ended: their usage was never stopped"
        } else if sessionTotal != accepted {
            ok = false
            detail = "the sessions' accepted usage (\(sessionTotal)) differs from the chunks accepted (\(accepted))"
        } else if let first {
            detail = "\(mismatched) of \(checked) sessions differ; first: \(first)"
        } else {
            var parts: [String] = []
            if mode.offline { parts.append("CH-1 usage = accepted (\(accepted))") }
            if mode.online { parts.append("CH-2 used units = accepted \(unit.rawValue)") }
            detail = parts.joined(separator: ", ") + " in each of \(checked) sessions"
        }
        if abandoned > 0 {
            detail += "; \(abandoned) requests were given up after every retransmission"
        }
        return ConservationCheck(
            applicable: true,
            ok: ok,
            sessionsChecked: checked,
            sessionsMismatched: mismatched,
            detail: detail
        )
    }
}
