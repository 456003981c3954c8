import Charging
import MSRP
import PropertyBased
import Testing

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

    static let runs = 300

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
        e.interimInterval = Bool.random(using: &rng) ? Int64.random(in: 50...3000, using: &rng) * ms : 0
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
            var partial = [SessionKey: Bool]()  // a message is half sent
            for k in keys {
                h.invite(k)
                h.advance(by: Int64.random(in: 0...50, using: &rng) * ms)
                h.recipientOK(k)
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
                if h.chunk(k, bytes: Int.random(in: 0...2000, using: &rng), flag: flag) {
                    if flag == .end && offlineOpen { completedWhileOpen += 1 }
                    partial[k] = flag == .more
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
            for k in keys {
                let s = h[k]
                let ledger = h.dispatcher.enabler.ledger.entry(k) ?? LedgerEntry()
                if c.mode.offline {
                    // Conservation: every accepted byte and message in exactly one CH-1 request.
                    #expect(ledger.offline == s.accepted, "session \(k), run \(seed)")
                }
                if c.mode.online {
                    let units = c.unit == .bytes ? s.accepted.bytes : s.accepted.messages + s.accepted.abortedMessages
                    #expect(ledger.onlineUnits == units, "session \(k), run \(seed)")
                }
                // Interval: consecutive interims at least the interval in force apart.
                let times = h.interims[k] ?? []
                for (a, b) in zip(times, times.dropFirst()) {
                    #expect(b.at - a.at >= b.interval, "session \(k), run \(seed)")
                }
            }
            // The ledger's totals (what a load run checks) equal the sums over sessions.
            let totals = h.dispatcher.enabler.ledger.totals
            if c.mode.offline {
                #expect(totals.offline == keys.reduce(ChargingUsage.zero) { $0 + h[$1].accepted })
                if withinTx { #expect(totals.offlineOpen == 0) }
            }
            if c.mode.online {
                let units = keys.reduce(UInt64(0)) { total, k in
                    let a = h[k].accepted
                    return total + (c.unit == .bytes ? a.bytes : a.messages + a.abortedMessages)
                }
                #expect(totals.onlineUnits == units)
            }
            // Merging two workers' counters adds them.
            var merged = counters
            merged += counters
            #expect(merged.totalRequests == 2 * counters.totalRequests)
            #expect(merged.sent(.offlineInterim) == 2 * counters.sent(.offlineInterim))
            #expect(merged.interimTriggers == 2 * counters.interimTriggers && merged.carriedOver == counters.carriedOver + counters.carriedOver)
            // One trigger per completed message, before limiting; each sent or suppressed.
            #expect(counters.interimTriggers == UInt64(completedWhileOpen))
            #expect(
                counters.sent(.offlineInterim) + counters.suppressedByInterval + counters.suppressedByCeiling
                    == counters.interimTriggers)
            // The requests the harness saw are the ones counted.
            #expect(h.requests.filter { !$0.isRetransmission }.count == Int(counters.totalRequests))
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
                let n: UInt32 = Bool.random(using: &rng) || next == 0 ? next : next - UInt32.random(in: 1...min(next, 40), using: &rng)
                if n == next { next += 1 }
                #expect(w.firstTime(n) == seen.insert(n).inserted)
            }
            #expect(w.overflows == 0)
        }
    }
}
