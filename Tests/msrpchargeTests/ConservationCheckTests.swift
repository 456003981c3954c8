import Charging
import ChargingPipeline
import LoadEngine
import Testing

/// The conservation check against the enabler's own ledger, shown failing on each fault it
/// exists to catch: wrong usage booked, usage booked for a session nobody accepted, a CH-1
/// record never stopped, a CH-2 reservation never terminated, and totals that differ.
@Suite("conservation check")
struct ConservationCheckTests {
    static let a = SessionKey("sa")!
    static let b = SessionKey("sb")!
    static let usage = ChargingUsage(messages: 2, bytes: 300)

    /// What an honest enabler books for session `key`: CH-1 start, interim, stop; CH-2
    /// initial (granted) and termination with the used units.
    static func book(_ ledger: ChargingLedger, _ key: SessionKey, usage: ChargingUsage, terminate: Bool = true) {
        ledger.acknowledge(ChargingRequest(kind: .offlineStart, session: key, number: 0, sentAt: 0))
        ledger.acknowledge(ChargingRequest(kind: .offlineInterim, session: key, number: 1, usage: usage, sentAt: 0))
        ledger.acknowledge(ChargingRequest(kind: .offlineStop, session: key, number: 2, sentAt: 0))
        ledger.acknowledge(ChargingRequest(kind: .onlineInitial, session: key, number: 0, sentAt: 0))
        ledger.entries.upsert(key, LedgerEntry()) { $0.unitsGranted = 1000 }
        if terminate {
            ledger.acknowledge(
                ChargingRequest(kind: .onlineTermination, session: key, number: 1, usedUnits: usage.bytes, sentAt: 0)
            )
        }
    }

    /// The check over sessions a and b, each accepting `usage`; the engine's per-chunk total
    /// is theirs unless `accepted` says otherwise.
    static func check(
        _ ledger: ChargingLedger,
        accepted: ChargingUsage = ChargingUsage(messages: 4, bytes: 600),
        basis: ConservationCheck.Basis = .enablerLedger
    ) -> ConservationCheck {
        ConservationCheck.run(
            mode: .both,
            unit: .bytes,
            sessions: [a, b].map { ClosedSession(session: $0, accepted: usage) },
            stillOpen: 0,
            ledger: ledger,
            accepted: accepted,
            abandoned: 0,
            basis: basis
        )
    }

    @Test func anHonestLedgerPasses() {
        let ledger = ChargingLedger(expectedSessions: 4)
        Self.book(ledger, Self.a, usage: Self.usage)
        Self.book(ledger, Self.b, usage: Self.usage)
        let c = Self.check(ledger)
        #expect(c.ok, "\(c.detail)")
        #expect(c.title == "Conservation" && c.detail.contains("in total, no usage for other sessions"))
    }

    @Test func wrongUsageFails() {
        let ledger = ChargingLedger(expectedSessions: 4)
        Self.book(ledger, Self.a, usage: Self.usage)
        Self.book(ledger, Self.b, usage: ChargingUsage(messages: 2, bytes: 299))
        let c = Self.check(ledger)
        #expect(!c.ok && c.sessionsMismatched == 1 && c.detail.contains("session sb"), "\(c.detail)")
    }

    /// Usage booked for a session the engine never accepted: the engine-side walk alone
    /// passes this; the ledger-side walk and the totals catch it.
    @Test func usageForAStrangerFails() {
        let ledger = ChargingLedger(expectedSessions: 4)
        Self.book(ledger, Self.a, usage: Self.usage)
        Self.book(ledger, Self.b, usage: Self.usage)
        Self.book(ledger, SessionKey("sz")!, usage: ChargingUsage(messages: 1, bytes: 5))
        let c = Self.check(ledger)
        #expect(!c.ok && c.detail.contains("session sz was charged") && c.detail.contains("never accepted"), "\(c.detail)")
    }

    @Test func aReservationNeverTerminatedFails() {
        let ledger = ChargingLedger(expectedSessions: 4)
        Self.book(ledger, Self.a, usage: Self.usage)
        Self.book(ledger, Self.b, usage: Self.usage, terminate: false)
        let c = Self.check(ledger)
        // Its used units were never reported either; the message names the open reservation.
        #expect(!c.ok && c.detail.contains("never terminated"), "\(c.detail)")
    }

    @Test func aRecordNeverStoppedFails() {
        let ledger = ChargingLedger(expectedSessions: 4)
        Self.book(ledger, Self.a, usage: Self.usage)
        ledger.acknowledge(ChargingRequest(kind: .offlineStart, session: Self.b, number: 0, sentAt: 0))
        ledger.acknowledge(ChargingRequest(kind: .offlineInterim, session: Self.b, number: 1, usage: Self.usage, sentAt: 0))
        ledger.acknowledge(ChargingRequest(kind: .onlineInitial, session: Self.b, number: 0, sentAt: 0))
        ledger.acknowledge(
            ChargingRequest(kind: .onlineTermination, session: Self.b, number: 1, usedUnits: Self.usage.bytes, sentAt: 0)
        )
        let c = Self.check(ledger)
        #expect(!c.ok && c.detail.contains("CH-1 record not stopped"), "\(c.detail)")
    }

    /// The engine's per-chunk count against the ledger's own sum: a chunk accepted that no
    /// session holds differs in total.
    @Test func totalsSummedApartFail() {
        let ledger = ChargingLedger(expectedSessions: 4)
        Self.book(ledger, Self.a, usage: Self.usage)
        Self.book(ledger, Self.b, usage: Self.usage)
        let c = Self.check(ledger, accepted: ChargingUsage(messages: 5, bytes: 700))
        #expect(!c.ok, "\(c.detail)")
    }

    /// Over Diameter the ledger is what the client was answered 2001 for: named so.
    @Test func theClientsOwnRecordIsNotCalledConservation() {
        let ledger = ChargingLedger(expectedSessions: 4)
        Self.book(ledger, Self.a, usage: Self.usage)
        Self.book(ledger, Self.b, usage: Self.usage)
        let c = Self.check(ledger, basis: .acknowledged)
        #expect(c.ok && c.title == "Acknowledged" && c.detail.contains("not the enablers' books"), "\(c.detail)")
    }
}
