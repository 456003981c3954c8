import Charging
import MSRP

/// Runs the Charging Enabler User against an enabler on a virtual clock, as an IM server
/// would, and writes down every step in order: SIP and MSRP messages and charging requests
/// and answers, in the words of the seeds' figures.
final class VirtualHarness<Enabler: ChargingEnablerClient> {
    let user: ChargingEnablerUser
    var dispatcher: ChargingDispatcher<Enabler>
    var now: Int64 = 0
    var sessions: [SessionKey: ChargingSession] = [:]
    var out = ChargingOutbox()
    /// The steps, in order.
    var log: [String] = []
    /// Every request sent (first transmissions and retransmissions), in order.
    var requests: [ChargingRequest] = []
    /// Per session: the time of each CH-1 interim (first transmissions).
    var interims: [SessionKey: [Int64]] = [:]
    /// Per session: each answer delivered to the client (time, the Acct-Interim-Interval it
    /// carried, late or not), as the harness saw it go in, not as the session recorded it.
    var delivered: [SessionKey: [(at: Int64, answer: ChargingAnswer, late: Bool)]] = [:]
    var signals: [SessionSignal] = []

    var enabler: Enabler { dispatcher.client }

    init(_ configuration: ChargingConfiguration, enabler: Enabler) {
        user = ChargingEnablerUser(configuration)
        dispatcher = ChargingDispatcher(client: enabler, txTimeout: configuration.txTimeout)
    }

    subscript(key: SessionKey) -> ChargingSession { sessions[key] ?? ChargingSession() }

    /// Runs `event` on the session's state, then carries out what it asked for.
    func event(_ key: SessionKey, _ body: (inout ChargingSession, inout ChargingOutbox) -> Void) {
        var s = sessions[key] ?? ChargingSession()
        body(&s, &out)
        sessions[key] = s
        flush(key)
    }

    func flush(_ key: SessionKey) {
        for action in out.actions {
            switch action {
            case .request(let r):
                log.append("\(r.kind) #\(r.number)\(r.isRetransmission ? " (T)" : "")")
                requests.append(r)
                if r.kind == .offlineInterim && !r.isRetransmission {
                    interims[r.session, default: []].append(now)
                }
                dispatcher.send(r)
            case .signal(let s):
                signals.append(s)
                switch s.event {
                case .forwardInvite: log.append("SIP INVITE forwarded")
                case .okToOriginator: log.append("SIP 200 OK to client")
                case .rejectInvite(let code): log.append("SIP INVITE rejected \(code)")
                case .endSession(let code): log.append("SIP BYE \(code)")
                }
            case .timer(let t):
                dispatcher.arm(t)
            }
        }
        out.drain()
    }
    func invite(_ key: SessionKey) {
        log.append("SIP INVITE")
        event(key) { s, o in user.inviteReceived(&s, key, now: now, &o) }
    }

    func recipientOK(_ key: SessionKey) {
        log.append("SIP 200 OK from recipient")
        event(key) { s, o in user.recipientAnswered(&s, key, now: now, &o) }
    }

    /// MSRP SEND chunks as bytes on the wire: each is parsed, then charged; its 200 OK is
    /// logged first when its Failure-Report asks for one (RFC 4975 §7.1.2). Returns how many
    /// chunks were accepted.
    @discardableResult
    func receive(_ bytes: [UInt8]) throws -> Int {
        var parser = MSRPChunkParser()
        var frames: [(SessionKey, Int, ContinuationFlag, Bool)] = []
        try parser.parse(bytes) { f in
            frames.append((SessionKey(f.toSessionID.buffer)!, f.body.count, f.flag, f.wantsSuccessResponse))
        }
        var accepted = 0
        for (key, count, flag, wantsOK) in frames {
            log.append("MSRP SEND \(flag.character)")
            var s = sessions[key] ?? ChargingSession()
            let ok = user.chunkAccepted(&s, key, bodyBytes: count, flag: flag, now: now, &out)
            sessions[key] = s
            if ok {
                accepted += 1
                if wantsOK { log.append("MSRP 200 OK") }
                log.append("MSRP SEND forwarded")
            } else {
                log.append("MSRP 403")
            }
            flush(key)
        }
        return accepted
    }

    /// One chunk without going through bytes (for the property tests' volume).
    @discardableResult
    func chunk(_ key: SessionKey, bytes: Int, flag: ContinuationFlag) -> Bool {
        var s = sessions[key] ?? ChargingSession()
        let ok = user.chunkAccepted(&s, key, bodyBytes: bytes, flag: flag, now: now, &out)
        sessions[key] = s
        flush(key)
        return ok
    }

    func bye(_ key: SessionKey) {
        log.append("SIP BYE")
        event(key) { s, o in user.sessionEnded(&s, key, now: now, &o) }
    }

    /// Moves the clock to `time`, delivering every answer, timeout and timer due on the way,
    /// in order.
    func advance(to time: Int64) {
        while let due = dispatcher.nextDue, due <= time {
            now = max(now, due)
            while let next = dispatcher.next(dueBy: now) {
                switch next {
                case .answer(let answer, _, let late):
                    log.append("\(answer.kind) answer \(answer.resultCode)\(late ? " (late)" : "")")
                    delivered[answer.session, default: []].append((now, answer, late))
                    event(answer.session) { s, o in user.answerReceived(answer, late: late, &s, now: now, &o) }
                case .timeout(let request):
                    log.append("\(request.kind) #\(request.number) timeout")
                    event(request.session) { s, o in user.timedOut(request, &s, now: now, &o) }
                case .timer(let timer):
                    log.append("\(timer.kind) timer")
                    event(timer.session) { s, o in user.timerFired(timer, &s, now: now, &o) }
                }
            }
        }
        now = max(now, time)
    }

    func advance(by d: Int64) { advance(to: now + d) }

    /// Delivers everything still in flight (and whatever that sends in turn). Charging timers
    /// of open sessions are not waited for.
    func settle() {
        while dispatcher.inFlight > 0, let due = dispatcher.nextDue { advance(to: max(now, due)) }
    }
}

/// An enabler whose replies the test scripts: the embedded enabler, except that chosen
/// transmissions get no answer (recorded or not), or an answer after a chosen delay.
final class ScriptedEnabler: ChargingEnablerClient, @unchecked Sendable {
    enum Script {
        /// The embedded enabler's answer, at its latency.
        case normal
        /// No answer; the request was recorded (true) or never arrived (false).
        case drop(recorded: Bool)
        /// The embedded enabler's answer, arriving this long after the request left.
        case delay(Int64)
    }

    let inner: EmbeddedChargingEnabler
    let script: (ChargingRequest) -> Script

    init(_ configuration: EmbeddedEnablerConfiguration = .init(), script: @escaping (ChargingRequest) -> Script) {
        inner = EmbeddedChargingEnabler(configuration)
        self.script = script
    }

    /// Return nil to let the embedded enabler reply; `.some(recorded)` to drop the answer,
    /// having recorded the request (true) or not (false).
    convenience init(
        _ configuration: EmbeddedEnablerConfiguration = .init(),
        drop: @escaping (ChargingRequest) -> Bool?
    ) {
        self.init(configuration) { r in drop(r).map { .drop(recorded: $0) } ?? .normal }
    }

    var ledger: ChargingLedger { inner.ledger }
    var peerCount: Int { inner.peerCount }

    func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery? {
        switch script(request) {
        case .normal:
            return inner.send(request, answers: answers)  // on the caller's thread, returned
        case .drop(let recorded):
            if recorded { _ = inner.answer(request) }
            return nil
        case .delay(let d):
            // Through the queue, as a network client answers.
            if var delivery = inner.answer(request) {
                delivery.arrivesAt = request.sentAt + d
                answers.push(delivery)
            }
            return nil
        }
    }

}

let ms = ChargingConfiguration.millisecond
let second = ChargingConfiguration.second

/// SEND chunks of one message of `size` bytes for session `id`.
func sendChunks(
    session id: String,
    size: Int,
    chunkSize: Int,
    failureReport: FailureReport? = nil,
    abortAfter: Int? = nil,
    messageID: String = "msg00001"
) -> [UInt8] {
    var chunker = MSRPMessageChunker(
        toPath: "msrp://server.example.com:7777/\(id);tcp",
        fromPath: "msrp://client.example.com:8888/c\(id);tcp",
        failureReport: failureReport
    )
    var out: [UInt8] = []
    chunker.appendChunks(
        of: [UInt8](repeating: UInt8(ascii: "a"), count: size),
        messageID: messageID,
        chunkSize: chunkSize,
        abortAfter: abortAfter,
        to: &out
    )
    return out
}
