import Charging
import MSRP
import PropertyBased
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Random traffic, random interim intervals and random enabler behaviour (latency, lost
/// answers and requests, denials, grants, validity, credit, failure handling): the invariants
/// of issue 3 hold in every run.
@Suite("Charging invariants (property tests)")
struct ChargingPropertyTests {
    struct Run {
        var configuration = ChargingConfiguration()
        var enabler = EmbeddedEnablerConfiguration()
        var sessions = 0
        var events = 0
    }

    /// 300 per `swift test`; `MSRPCHARGE_PROPERTY_RUNS=5000 swift test --filter ChargingPropertyTests`
    /// for a longer search.
    static let runs = getenv("MSRPCHARGE_PROPERTY_RUNS").flatMap { Int(String(cString: $0)) } ?? 300

    static func randomRun(_ rng: inout SplitMix64) -> Run {
        var r = Run()
        var c = ChargingConfiguration(mode: [.offline, .online, .both].randomElement(using: &rng)!)
        c.defaultInterimInterval = Int64.random(in: 50...3000, using: &rng) * ms
        c.firstInterimJitter = Double.random(in: 0...1, using: &rng)
        if Bool.random(using: &rng) {
            c.interimCeilingPerSecond = Double.random(in: 1...50, using: &rng)
            c.interimCeilingBurst = Int.random(in: 1...5, using: &rng)
        }
        c.unit = Bool.random(using: &rng) ? .bytes : .messages
        c.requestedUnits = UInt64.random(in: 1...5000, using: &rng)
        c.failureHandling = CreditControlFailureHandling.allCases.randomElement(using: &rng)!
        c.setup = SessionSetup.allCases.randomElement(using: &rng)!
        c.txTimeout = Int64.random(in: 20...500, using: &rng) * ms
        c.maximumAttempts = 24  // lost answers are random: enough attempts that none is abandoned
        var e = EmbeddedEnablerConfiguration()
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: e.latency = .fixed(Int64.random(in: 0...100, using: &rng) * ms)
        case 1: e.latency = .uniform(0, Int64.random(in: 1...600, using: &rng) * ms)
        default: e.latency = .exponential(mean: Int64.random(in: 1...200, using: &rng) * ms)
        }
        e.grantedUnits = UInt64.random(in: 1...5000, using: &rng)
        e.validityTime = Bool.random(using: &rng) ? Int64.random(in: 100...3000, using: &rng) * ms : 0
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: e.interimInterval = nil  // no AVP: the client keeps its default
        case 1: e.interimInterval = 0  // no interims at all (RFC 6733 §9.8.2)
        default: e.interimInterval = Int64.random(in: 50...3000, using: &rng) * ms
        }
        e.creditPerSession = Bool.random(using: &rng) ? UInt64.random(in: 0...20_000, using: &rng) : nil
        e.denialShare = Double.random(in: 0...0.2, using: &rng)
        e.timeoutShare = Double.random(in: 0...0.3, using: &rng)
        e.seed = rng.next()
        r.configuration = c
        r.enabler = e
        r.sessions = Int.random(in: 1...12, using: &rng)
        r.events = Int.random(in: 50...600, using: &rng)
        return r
    }

    @Test func conservationIntervalAndTriggers() async {
        await propertyCheck(count: Self.runs, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            let run = Self.randomRun(&rng)
            let c = run.configuration
            let h = VirtualHarness(c, enabler: EmbeddedChargingEnabler(run.enabler))
            let keys = (0..<run.sessions).map { SessionKey("p\($0)")! }
            var ended = Set<SessionKey>()
            var completedWhileOpen = 0  // `$` chunks accepted in sessions with CH-1 open
            // What the test itself sent and saw accepted, per session: the figure the enabler's
            // ledger must hold (not the Charging Enabler User's own `accepted`).
            var sent = [SessionKey: ChargingUsage]()
            var startedAt = [SessionKey: Int64]()
            for k in keys {
                h.invite(k)
                h.advance(by: Int64.random(in: 0...50, using: &rng) * ms)
                h.recipientOK(k)
                startedAt[k] = h.now
            }
            for _ in 0..<run.events {
                h.advance(by: Int64.random(in: 0...300, using: &rng) * ms)
                let k = keys.randomElement(using: &rng)!
                if ended.contains(k) { continue }
                if Int.random(in: 0..<100, using: &rng) == 0 {
                    h.bye(k)
                    ended.insert(k)
                    continue
                }
                let r = Int.random(in: 0..<10, using: &rng)
                let flag: ContinuationFlag = r < 6 ? .end : (r < 9 ? .more : .aborted)
                let offlineOpen = h[k].offline == .open
                let bytes = Int.random(in: 0...2000, using: &rng)
                if h.chunk(k, bytes: bytes, flag: flag) {
                    if flag == .end && offlineOpen { completedWhileOpen += 1 }
                    sent[k, default: .zero] += ChargingUsage(
                        messages: flag == .end ? 1 : 0,
                        abortedMessages: flag == .aborted ? 1 : 0,
                        bytes: UInt64(bytes)
                    )
                }
            }
            for k in keys where !ended.contains(k) { h.bye(k) }
            h.settle()

            let counters = h.out.counters
            // Attempts are only given up when the enabler is slower than Tx every time; with
            // answers always within Tx, none is (lost answers alone never use up 24 attempts).
            let withinTx: Bool
            switch run.enabler.latency {
            case .fixed(let d): withinTx = d <= c.txTimeout
            case .uniform(_, let hi): withinTx = hi <= c.txTimeout
            case .exponential: withinTx = false
            }
            if withinTx { #expect(counters.abandoned == 0) }
            func units(_ u: ChargingUsage) -> UInt64 { c.unit == .bytes ? u.bytes : u.messages + u.abortedMessages }
            for k in keys {
                let mine = sent[k] ?? .zero
                let ledger = h.enabler.ledger.entry(k) ?? LedgerEntry()
                if c.mode.offline {
                    // Conservation: every byte and message accepted in exactly one CH-1 request.
                    #expect(ledger.offline == mine, "session \(k), run \(seed)")
                }
                if c.mode.online {
                    #expect(ledger.onlineUnits == units(mine), "session \(k), run \(seed)")
                }
                // Interval: consecutive interims at least the interval in force apart, where the
                // interval in force is the enabler's (as configured, once one of its CH-1 answers
                // reached the client) or else the client's default. With the enabler's 0, no
                // interim follows that answer (RFC 6733 §9.8.2).
                let times = h.interims[k] ?? []
                let answered = (h.delivered[k] ?? []).filter { $0.answer.kind.isOffline && $0.answer.isSuccess }
                // Each first-transmission interim's record number, in the order sent (as `times`):
                // an answer counts for an interim only if it answers an earlier record. At a
                // latency of 0 the answer to this very interim is delivered at the instant it
                // was sent, and by time alone would seem to have come before it.
                let numbers = h.requests.filter {
                    $0.session == k && $0.kind == .offlineInterim && !$0.isRetransmission
                }
                .map(\.number)
                #expect(numbers.count == times.count, "session \(k), run \(seed)")
                for ((a, b), number) in zip(zip([startedAt[k]!] + times, times), numbers) {
                    let enablerSpoke = answered.contains {
                        $0.at <= b && $0.answer.number < number && $0.answer.interimInterval != nil
                    }
                    let interval = enablerSpoke ? run.enabler.interimInterval! : c.defaultInterimInterval
                    if enablerSpoke && interval == 0 {
                        Issue.record("interim at \(b) after the enabler asked for none, session \(k), run \(seed)")
                    } else if a != startedAt[k]! {
                        #expect(b - a >= interval, "session \(k), run \(seed)")
                    }
                }
            }
            // The ledger's totals (what a load run checks) equal the sums the test sent.
            let totals = h.enabler.ledger.totals
            let all = sent.values.reduce(ChargingUsage.zero, +)
            if c.mode.offline {
                #expect(totals.offline == all)
                if withinTx { #expect(totals.offlineOpen == 0) }
            }
            if c.mode.online { #expect(totals.onlineUnits == units(all)) }
            // One trigger per completed message, before limiting; each sent or suppressed.
            #expect(counters.interimTriggers == UInt64(completedWhileOpen))
            #expect(
                counters.sent(.offlineInterim) - counters.flushedByTimer + counters.suppressedByInterval
                    + counters.suppressedByCeiling == counters.interimTriggers
            )
        }
    }

    @Test func duplicateWindowRecordsEachNumberOnce() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var w = DuplicateWindow()
            var seen = Set<UInt32>()
            var next: UInt32 = 0
            for _ in 0..<500 {
                // Mostly new numbers in order, some retransmissions of recent ones.
                let n: UInt32 =
                    Bool.random(using: &rng) || next == 0
                    ? next : next - UInt32.random(in: 1...min(next, 40), using: &rng)
                if n == next { next += 1 }
                #expect(w.firstTime(n) == seen.insert(n).inserted)
            }
            #expect(w.overflows == 0)
        }
    }

    /// A failover's order: a second enabler sees a session's new numbers first, then the first
    /// enabler's unanswered ones thousands behind (with the T flag), some twice, and never the
    /// ones the first enabler answered. Before the holes, every late number below the window
    /// was taken for a duplicate: serve over two enablers with one SIGKILLed lost 178 interims
    /// that way (the enabler's "duplicates dropped"). Checked against a `Set`.
    @Test func duplicateWindowTakesLateNumbersAfterAFailover() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var w = DuplicateWindow()
            defer { w.release() }
            var seen = Set<UInt32>()
            var next = UInt32.random(in: 0...20_000, using: &rng)
            var late: [UInt32] = []
            for _ in 0..<3 {
                // The first enabler answered up to `answered`; it left `answered ..< next` unanswered.
                let answered = next
                next += UInt32.random(in: 100...5_000, using: &rng)
                for n in answered..<next where UInt32.random(in: 0...3, using: &rng) != 0 { late.append(n) }
                late.shuffle(using: &rng)
                for _ in 0..<UInt32.random(in: 10...300, using: &rng) {
                    let fresh = w.firstTime(next)
                    #expect(fresh == seen.insert(next).inserted)
                    next += 1
                    if let n = late.popLast() {
                        let taken = w.firstTime(n)
                        #expect(taken == seen.insert(n).inserted, "late \(n), base \(w.base)")
                        // Now and then the same record again (a retransmission of it).
                        if UInt32.random(in: 0...9, using: &rng) == 0 {
                            let again = w.firstTime(n)
                            #expect(!again)
                        }
                    }
                }
                for n in late {
                    let taken = w.firstTime(n)
                    #expect(taken == seen.insert(n).inserted)
                }
                late.removeAll()
            }
            // Numbers never sent are still holes, taken once each.
            let probe = UInt32.random(in: 0..<next, using: &rng)
            let first = w.firstTime(probe)
            #expect(first == seen.insert(probe).inserted)
            let second = w.firstTime(probe)
            #expect(!second)
            #expect(w.overflows == 0)
        }
    }

    /// A peer sending numbers at random cannot grow the holes past their bound: the oldest
    /// range goes, counted.
    @Test func duplicateWindowHolesAreBounded() {
        var w = DuplicateWindow()
        defer { w.release() }
        // Every other number, 200 apart: each slide leaves a hole.
        var n: UInt32 = 0
        for _ in 0..<(DuplicateWindow.maximumHoles + 10) {
            n += 200
            _ = w.firstTime(n)
        }
        #expect(w.holeCount == DuplicateWindow.maximumHoles)
        #expect(w.overflows == 10)
        // The newest holes are exact still.
        let first = w.firstTime(n - 100)
        let second = w.firstTime(n - 100)
        #expect(first)
        #expect(!second)
    }
}
